/// The segd release both binaries report.
public enum SegdVersion {
    public static let string = "0.1.0"
}
