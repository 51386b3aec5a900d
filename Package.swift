// swift-tools-version: 6.2
import PackageDescription

/// Settings every Swift target of ours gets: Swift 6 mode (the tools default) and warnings as errors.
let strictSwift: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "segd",
    products: [
        .executable(name: "segd", targets: ["segd"]),
        .executable(name: "segctl", targets: ["segctl"]),
        // Test-only plugin libraries (not installed).
        .library(name: "SegdTestPluginWrongABI", type: .dynamic, targets: ["TestPluginWrongABI"]),
        .executable(name: "segd-bench-dicom", targets: ["segd-bench-dicom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Value types shared by everything: volumes, geometry, label maps, coded concepts. Depends on nothing.
        .target(name: "Imaging", swiftSettings: strictSwift),

        // DCMTK (+ OpenJPEG for JPEG 2000) behind a plain C API. The only C++ in the project.
        .target(
            name: "CDCMTKShim",
            linkerSettings: [
                // Listed explicitly: pkg-config's dcmtk.pc fails without libsndfile1-dev (see design notes).
                .linkedLibrary("dcmjpls"), .linkedLibrary("dcmjpeg"), .linkedLibrary("dcmimgle"),
                .linkedLibrary("dcmdata"), .linkedLibrary("oflog"), .linkedLibrary("ofstd"),
                .linkedLibrary("openjp2"),
            ]),

        // DICOM series -> volumes with exact geometry. Depends on Imaging and the shim only.
        .target(name: "DICOM", dependencies: ["Imaging", "CDCMTKShim"], swiftSettings: strictSwift),

        // The control protocol shared by segd and segctl. Light: no DCMTK, no BLAS.
        .target(name: "SegControl", swiftSettings: strictSwift),

        // The model plugin C ABI (header shared by host and plugins) and the plugin SDK / host.
        .target(name: "CSegPlugin"),
        .target(name: "SegModelKit", dependencies: ["Imaging", "NN", "CSegPlugin"], swiftSettings: strictSwift),

        // Running a job end to end (series → model → outputs): `segd process` and the daemon's worker.
        .target(name: "SegdCore", dependencies: ["Imaging", "DICOM", "NN", "SegModelKit"], swiftSettings: strictSwift),

        // The daemon's foundations: configuration, routing rules, series settling, retry policy, safe names.
        .target(name: "SegDaemon", dependencies: ["Imaging", "DICOM", "SegModelKit", "SegdCore"],
                swiftSettings: strictSwift),

        .executableTarget(name: "segd", dependencies: ["Imaging", "DICOM", "SegModelKit", "SegdCore", "SegControl",
                                                       "SegDaemon", argumentParser],
                          swiftSettings: strictSwift),
        .executableTarget(name: "segctl", dependencies: ["SegControl", argumentParser],
                          swiftSettings: strictSwift),

        // Series-load throughput benchmark (not a test): `swift run -c release segd-bench-dicom`.
        .executableTarget(name: "segd-bench-dicom", dependencies: ["DICOM", "Imaging"],
                          path: "Benchmarks/DICOMBenchmark", swiftSettings: strictSwift),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strictSwift),
        .testTarget(name: "SegModelKitTests", dependencies: ["SegModelKit"], exclude: ["Generators"],
                    swiftSettings: strictSwift),
        .target(name: "TestPluginWrongABI", dependencies: ["CSegPlugin"], path: "Tests/TestPlugins/WrongABI",
                publicHeadersPath: "."),

        // OpenBLAS's C interface. Only Sources/NN/Ops/GEMM.swift imports it.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),

        // Tensors, ops, layers and safetensors I/O: the CPU inference engine. Knows nothing of DICOM.
        .target(name: "NN", dependencies: ["CBLAS"], swiftSettings: strictSwift),
        .executableTarget(name: "nn-bench", dependencies: ["NN"], swiftSettings: strictSwift),
        .testTarget(name: "NNTests", dependencies: ["NN"], exclude: ["Generators"], swiftSettings: strictSwift),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "Imaging"], swiftSettings: strictSwift),
        .testTarget(name: "SegDaemonTests", dependencies: ["SegDaemon", "DICOM", "Imaging"], swiftSettings: strictSwift),
    ],
    cxxLanguageStandard: .cxx17
)
