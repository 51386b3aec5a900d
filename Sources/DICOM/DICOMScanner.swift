internal import CDCMTKShim
import Dispatch
import Foundation
import Synchronization

/// Scans folders of DICOM files and decides which series form volumes.
///
/// Typical use (pipeline):
/// ```swift
/// let scan = try DICOMScanner.scan(directory: folder)      // headers only, parallel, cheap
/// for report in scan.series where report.status == .accepted {
///     let stack = report.stack!                              // geometry + ordered sources + UIDs + attributes
///     let volume = try stack.loadVolume()                    // float32, rescaled, x-fastest, both cores
/// }
/// // scan.ignoredFiles: every file that is not part of a series, with the reason.
/// ```
/// Rules: files must be DICOM Part 10 ('DICM' preamble). Grouping is by SeriesInstanceUID; LOCALIZER images are
/// skipped; a series mixing orientations or Rows/Columns is split into one report per orientation/size; slices
/// are sorted by ImagePositionPatient projected on the normal (row x column cosines), never by InstanceNumber;
/// identical duplicates are removed; repeated positions with different content are 4-D and rejected; gaps must
/// agree within 1 % (or 0.01 mm) of the (lower) median gap; a stacking direction more than 0.1 degrees off the
/// normal is a gantry tilt and rejected; Siemens MOSAIC is rejected; single slices are accepted as 2-D images
/// (z spacing from SliceThickness). Series with empty UIDs are rejected but keep their `stack`.
public enum DICOMScanner {
    /// Bytes DCMTK may read as the header of one file (values over 4 KiB are skipped, not read) before the file
    /// is rejected as malformed; 64 MiB by default. Also rejected: 1 MiB of zero bytes read as header. Applies
    /// to every later open in this process.
    public static var headerLimit: Int {
        get { Int(dcmshim_header_limit()) }
        set { dcmshim_set_header_limit(UInt64(max(0, newValue))) }
    }

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
