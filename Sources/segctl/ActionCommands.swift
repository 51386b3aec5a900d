import ArgumentParser
import SegControl

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a waiting, queued or running job (admin).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The job id.") var id: String

    func run() throws {
        try options.run { () throws(ControlError) in
            let j = try options.client.cancel(id)
            if options.json { return try options.printJSON(j) }
            print("\(j.id) \(Terminal.paint(j.state, Terminal.stateColor(j.state)))")
        }
    }
}

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue a failed, quarantined, cancelled or unrouted job again (admin).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The job id.") var id: String

    func run() throws {
        try options.run { () throws(ControlError) in
            let j = try options.client.retry(id)
            if options.json { return try options.printJSON(j) }
            let rerun = j.id == id ? "" : " (re-run of \(id))"
            print("\(j.id) \(Terminal.paint(j.state, Terminal.stateColor(j.state)))\(rerun)")
        }
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Stop taking in new series; queued jobs stay queued (admin).")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let r = try options.client.pause()
            if options.json { return try options.printJSON(r) }
            print(r.message)
        }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Take in new series again after pause (admin).")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let r = try options.client.resume()
            if options.json { return try options.printJSON(r) }
            print(r.message)
        }
    }
}

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Re-read the configuration and the model catalog, as SIGHUP does (admin).")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let r = try options.client.reload()
            if options.json { return try options.printJSON(r) }
            print(r.message)
        }
    }
}
