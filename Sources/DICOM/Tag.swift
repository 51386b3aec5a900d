/// DICOM tags used by the reader, as (group << 16) | element.
enum Tag {
    static let transferSyntaxUID: UInt32 = 0x0002_0010
    static let mediaStorageSOPClassUID: UInt32 = 0x0002_0002
    static let mediaStorageSOPInstanceUID: UInt32 = 0x0002_0003
    static let imageType: UInt32 = 0x0008_0008
    static let sopClassUID: UInt32 = 0x0008_0016
    static let sopInstanceUID: UInt32 = 0x0008_0018
    static let modality: UInt32 = 0x0008_0060
    static let manufacturer: UInt32 = 0x0008_0070
    static let studyDescription: UInt32 = 0x0008_1030
    static let seriesDescription: UInt32 = 0x0008_103E
    static let manufacturerModelName: UInt32 = 0x0008_1090
    static let seriesDate: UInt32 = 0x0008_0021
    static let bodyPartExamined: UInt32 = 0x0018_0015
    static let scanningSequence: UInt32 = 0x0018_0020
    static let sliceThickness: UInt32 = 0x0018_0050
    static let kvp: UInt32 = 0x0018_0060
    static let spacingBetweenSlices: UInt32 = 0x0018_0088
    static let echoNumbers: UInt32 = 0x0018_0086
    static let magneticFieldStrength: UInt32 = 0x0018_0087
    static let protocolName: UInt32 = 0x0018_1030
    static let triggerTime: UInt32 = 0x0018_1060
    static let convolutionKernel: UInt32 = 0x0018_1210
    static let contrastBolusAgent: UInt32 = 0x0018_0010
    static let patientPosition: UInt32 = 0x0018_5100
    static let diffusionBValue: UInt32 = 0x0018_9087
    static let studyInstanceUID: UInt32 = 0x0020_000D
    static let seriesInstanceUID: UInt32 = 0x0020_000E
    static let seriesNumber: UInt32 = 0x0020_0011
    static let acquisitionNumber: UInt32 = 0x0020_0012
    static let instanceNumber: UInt32 = 0x0020_0013
    static let imagePositionPatient: UInt32 = 0x0020_0032
    static let imageOrientationPatient: UInt32 = 0x0020_0037
    static let frameOfReferenceUID: UInt32 = 0x0020_0052
    static let temporalPositionIdentifier: UInt32 = 0x0020_0100
    static let frameContentSequence: UInt32 = 0x0020_9111
    static let planePositionSequence: UInt32 = 0x0020_9113
    static let planeOrientationSequence: UInt32 = 0x0020_9116
    static let temporalPositionIndex: UInt32 = 0x0020_9128
    static let pixelSpacing: UInt32 = 0x0028_0030
    static let rescaleIntercept: UInt32 = 0x0028_1052
    static let rescaleSlope: UInt32 = 0x0028_1053
    static let pixelMeasuresSequence: UInt32 = 0x0028_9110
    static let pixelValueTransformationSequence: UInt32 = 0x0028_9145
    static let directoryRecordSequence: UInt32 = 0x0004_1220
    static let mrEchoSequence: UInt32 = 0x0018_9114
    static let effectiveEchoTime: UInt32 = 0x0018_9082
}

/// SOP classes the reader treats specially.
enum SOPClass {
    static let segmentation = "1.2.840.10008.5.1.4.1.1.66.4"
    static let mediaDirectory = "1.2.840.10008.1.3.10"
}
