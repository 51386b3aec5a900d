import ArgumentParser
import SegControl

@main
struct SegctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segctl",
        abstract: "Control a running segd daemon over its control socket.",
        discussion: """
            Reading commands (status, jobs, job show, models, plugins, metrics, version) work for anyone who can \
            open the socket (group segd by default). Commands that change something (submit, cancel, retry, \
            pause, resume, reload, rules test) need root, segd's own user or membership of the admin group \
            (segd-admin by default), and are written to segd's audit log.

            Exit status: 0 success; 1 a job waited for with submit --wait did not end done; 2 segd refused the \
            command (bad request, unknown job, not possible now); 3 segd cannot be reached (no socket, not \
            running, timeout); 4 not allowed (socket permissions, not an admin); 5 segd and segctl speak \
            different protocol versions or the answer is not segd's; 64 bad command-line usage.
            """,
        version: SegdVersion.string,
        subcommands: [StatusCommand.self, JobsCommand.self, JobCommand.self, SubmitCommand.self, CancelCommand.self,
                      RetryCommand.self, PauseCommand.self, ResumeCommand.self, ModelsCommand.self,
                      PluginsCommand.self, ReloadCommand.self, RulesCommand.self, MetricsCommand.self,
                      VersionCommand.self])
}
