#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import SegControl

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a folder of DICOM files as if it had been dropped into a watch folder.",
        discussion: """
            segd refuses folders outside its configured roots. With --wait, segctl shows the jobs' progress and \
            exits with their result: 0 when every job ended done, 1 when one failed, was quarantined, cancelled \
            or unrouted.
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The folder (relative paths are made absolute).") var path: String
    @Option(help: "Run this model instead of the routing rules' choice.") var model: String?
    @Flag(help: "Wait for the jobs to finish, showing progress.") var wait = false
    @Option(help: ArgumentHelp("With --wait: seconds between polls.", visibility: .hidden)) var interval = 0.5

    func run() throws {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
        var failed = false
        try options.run { () throws(ControlError) in
            let client = options.client
            let result = try client.submit(SubmitRequest(path: absolute, model: model))
            guard wait else {
                if options.json { return try options.printJSON(result) }
                print("submitted \(result.files) files as \(result.jobs.count) job\(result.jobs.count == 1 ? "" : "s"): "
                    + result.jobs.map(\.id).joined(separator: " "))
                return
            }
            let final = try waitForJobs(result.jobs.map(\.id), client: client)
            failed = final.contains { $0.state != JobStateName.done }
            if options.json { return try options.printJSON(JobList(jobs: final)) }
            for j in final {
                let error = j.error.map { " (\($0.code): \($0.message))" } ?? ""
                print("\(j.id) \(Terminal.paint(j.state, Terminal.stateColor(j.state)))\(error)")
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// Polls until every job is terminal; a live line on a terminal, one line per change otherwise.
    private func waitForJobs(_ ids: [String], client: ControlClient) throws(ControlError) -> [JobInfo] {
        var last = ""
        while true {
            var jobs: [JobInfo] = []
            for id in ids { jobs.append(try client.job(id).job) }
            let line = jobs.map { j in
                [j.id, j.state, j.stage, j.progress.map(percent)].compactMap { $0 }.joined(separator: " ")
            }.joined(separator: " | ")
            if !options.json, line != last {
                if Terminal.isTTY {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                } else {
                    Terminal.printError(line)
                }
                last = line
            }
            if jobs.allSatisfy(\.isTerminal) {
                if Terminal.isTTY && !options.json { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                return jobs
            }
            usleep(useconds_t(max(0.05, interval) * 1_000_000))
        }
    }
}
