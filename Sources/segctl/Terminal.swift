#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Output helpers: colour only on a terminal (and not with NO_COLOR), aligned tables.
enum Terminal {
    static let isTTY: Bool = isatty(STDOUT_FILENO) == 1
    static let useColor: Bool = isTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    enum Color: String {
        case red = "31", green = "32", yellow = "33", cyan = "36", dim = "2", bold = "1"
    }

    static func paint(_ text: String, _ color: Color?) -> String {
        guard useColor, let color, !text.isEmpty else { return text }
        return "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m"
    }

    static func stateColor(_ state: String) -> Color? {
        switch state {
        case "done": .green
        case "failed", "quarantined": .red
        case "running": .cyan
        case "queued", "waiting-quiet": .yellow
        case "cancelled", "unrouted": .dim
        default: nil
        }
    }

    /// Left-aligned columns two spaces apart; `colors` paints a cell after padding (so alignment holds).
    static func table(_ header: [String], _ rows: [[String]],
                      colors: (_ row: Int, _ column: Int) -> Color? = { _, _ in nil }) -> String {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        var lines = [render(header, widths) { _ in .bold }]
        for (r, row) in rows.enumerated() {
            lines.append(render(row, widths) { colors(r, $0) })
        }
        return lines.joined(separator: "\n")
    }

    private static func render(_ cells: [String], _ widths: [Int], color: (Int) -> Color?) -> String {
        var out = ""
        for (c, cell) in cells.enumerated() {
            let last = c == cells.count - 1
            let padded = last ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            out += paint(padded, color(c)) + (last ? "" : "  ")
        }
        return out
    }
}
