import DICOM
import Testing

@Test func initialisesAndRejectsMissingFolder() {
    #expect(throws: DICOMError.self) { try DICOMScanner.scan(directory: "/nonexistent-segd-folder") }
}
