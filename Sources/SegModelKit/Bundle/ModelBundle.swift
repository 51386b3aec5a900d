import Foundation

/// A model bundle: a folder with `model.json` and the weights file it names, checked by sha256.
public struct ModelBundle: Sendable {
    public let directory: URL
    public let manifest: ModelManifest

    /// The weights file's path.
    public var weightsURL: URL { directory.appendingPathComponent(manifest.weights.file) }

    /// Reads and validates `model.json`, and checks the weights file's sha256. Throws on any problem;
    /// a bundle that loads is fit to run.
    public static func load(directory: URL) throws(ModelError) -> ModelBundle {
        let manifestURL = directory.appendingPathComponent("model.json")
        let text: String
        do { text = try String(contentsOf: manifestURL, encoding: .utf8) } catch {
            throw ModelError(.invalidBundle, "cannot read \(manifestURL.path): \(error.localizedDescription); a bundle folder needs model.json")
        }
        let manifest: ModelManifest
        do { manifest = try ModelManifest(json: text) } catch {
            throw ModelError(error.code, "\(directory.lastPathComponent): \(error.message)")
        }
        let bundle = ModelBundle(directory: directory, manifest: manifest)
        guard FileManager.default.fileExists(atPath: bundle.weightsURL.path) else {
            throw ModelError(.invalidBundle,
                             "\(directory.lastPathComponent): the weights file \"\(manifest.weights.file)\" named by model.json is missing")
        }
        let actual = try SHA256.hash(fileAt: bundle.weightsURL)
        guard actual == manifest.weights.sha256 else {
            throw ModelError(.weightsChecksumMismatch,
                             "\(directory.lastPathComponent): \(manifest.weights.file) has sha256 \(actual), but model.json expects \(manifest.weights.sha256); the file is corrupt or belongs to another model version")
        }
        return bundle
    }
}
