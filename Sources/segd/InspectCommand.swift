import ArgumentParser
import DICOM

/// `segd inspect DIR [--json]`: reports every series found in a folder and what segd would do with it.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Scan a folder of DICOM files and report every series (volume geometry, or why it is rejected).")

    @Argument(help: "Folder to scan recursively.")
    var directory: String

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let scan: ScanResult
        do {
            scan = try DICOMScanner.scan(directory: directory)
        } catch {
            throw ValidationError(error.message)
        }
        let report = InspectReport(scan: scan)
        print(json ? report.json() : report.table())
    }
}
