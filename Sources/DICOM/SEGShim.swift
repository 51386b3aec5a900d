internal import CDCMTKShim
import Glibc
import Imaging

/// C strings that live until `free()`; keeps the writer's pointer plumbing in one place.
struct CStrings {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    mutating func add(_ s: String) -> UnsafePointer<CChar>? {
        guard let p = strdup(s) else { return nil }
        pointers.append(p)
        return UnsafePointer(p)
    }

    mutating func code(_ c: CodedConcept?) -> dcmshim_code {
        dcmshim_code(scheme: add(c?.scheme ?? ""), value: add(c?.value ?? ""), meaning: add(c?.meaning ?? ""))
    }

    func free() { for p in pointers { Glibc.free(p) } }
}

/// Error and string conversion for the SEG parts of the shim.
enum SEGShim {
    static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
            .trimmingSpaces
    }

    static func convert(_ error: dcmshim_error, context: String) -> DICOMError {
        let message = string(error.message)
        let code: DICOMError.Code
        switch Int(error.code) {
        case Int(DCMSHIM_ERR_INIT): code = .initialisation
        case Int(DCMSHIM_ERR_NOT_DICOM), Int(DCMSHIM_ERR_READ): code = .unreadable
        case Int(DCMSHIM_ERR_DECODE): code = .decode
        // No space, no permission, an I/O error: the machine's condition, not the input's (retried).
        case Int(DCMSHIM_ERR_SEG_IO): code = .io
        default: code = .segmentation
        }
        return DICOMError(code, "\(context): \(message.isEmpty ? "DCMTK error \(error.code)" : message)")
    }
}
