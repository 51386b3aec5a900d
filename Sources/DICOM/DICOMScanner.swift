import Dispatch
import Foundation
import Synchronization

/// Scans folders of DICOM files and decides which series form volumes.
public enum DICOMScanner {
    /// Scans `directory` recursively. Throws only when the folder itself cannot be read; problems with single
    /// files or series are reported in the result.
    public static func scan(directory: String) throws(DICOMError) -> ScanResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DICOMError(.io, "\(directory) is not a readable folder; pass a folder that contains DICOM files")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw DICOMError(.io, "cannot list \(directory); check its permissions")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let path = (directory as NSString).appendingPathComponent(relative)
            let url = URL(fileURLWithPath: path)
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(path) }
        }
        return try scan(files: files.sorted())
    }

    /// Reads the headers of `files` (in parallel), groups them by SeriesInstanceUID and builds the reports.
    public static func scan(files: [String]) throws(DICOMError) -> ScanResult {
        try DICOMFile.initialise()
        let results = Mutex<[Int: Result<InstanceHeader, DICOMError>]>([:])
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let result: Result<InstanceHeader, DICOMError>
            do throws(DICOMError) {
                let file = try DICOMFile(path: files[i])
                result = .success(try InstanceHeader(file: file))
            } catch {
                result = .failure(error)
            }
            results.withLock { $0[i] = result }
        }
        let all = results.withLock { $0 }
        var ignored: [IgnoredFile] = []
        var bySeries: [String: [InstanceHeader]] = [:]
        var order: [String] = []
        for i in files.indices {
            switch all[i]! {
            case .success(let header):
                if bySeries[header.seriesInstanceUID] == nil { order.append(header.seriesInstanceUID) }
                bySeries[header.seriesInstanceUID, default: []].append(header)
            case .failure(let error):
                ignored.append(IgnoredFile(path: files[i], reason: error.message))
            }
        }
        let series = order.flatMap { StackBuilder.reports(for: bySeries[$0]!) }
        return ScanResult(series: series, ignoredFiles: ignored)
    }
}

/// The identifying UIDs of one instance, read cheaply (header only, pixel data stays on disk).
public struct InstanceIdentity: Sendable, Hashable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var seriesInstanceUID: String
    public var studyInstanceUID: String
    public var frameOfReferenceUID: String
    public var modality: String

    /// Reads the UIDs of the DICOM file at `path`. Throws `.unreadable` for non-DICOM or corrupt files.
    public static func read(path: String) throws(DICOMError) -> InstanceIdentity {
        let file = try DICOMFile(path: path)
        return InstanceIdentity(
            sopClassUID: file.string(Tag.sopClassUID) ?? file.metaString(Tag.mediaStorageSOPClassUID) ?? "",
            sopInstanceUID: file.string(Tag.sopInstanceUID) ?? "",
            seriesInstanceUID: file.string(Tag.seriesInstanceUID) ?? "",
            studyInstanceUID: file.string(Tag.studyInstanceUID) ?? "",
            frameOfReferenceUID: file.string(Tag.frameOfReferenceUID) ?? "",
            modality: file.string(Tag.modality) ?? "")
    }
}
