// swift-tools-version: 6.2
import PackageDescription

/// Settings every Swift target of ours gets: Swift 6 mode (the tools default) and warnings as errors.
let strictSwift: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")

let package = Package(
    name: "segd",
    products: [
        .executable(name: "segd", targets: ["segd"]),
        .executable(name: "segctl", targets: ["segctl"]),
        // Test-only plugin libraries (not installed).
        .library(name: "SegdTestPluginWrongABI", type: .dynamic, targets: ["TestPluginWrongABI"]),
        // Crashes (test.Segfault) or hangs (test.Hang) in infer: the daemon's fault tests.
        .library(name: "SegdTestPluginFaulty", type: .dynamic, targets: ["TestPluginFaulty"]),
        .executable(name: "segd-bench-dicom", targets: ["segd-bench-dicom"]),
        .executable(name: "segd-bench-seg", targets: ["segd-bench-seg"]),
        .library(name: "SegdPluginUTNet", type: .dynamic, targets: ["UTNetPlugin"]),
        .library(name: "SegdPluginUNet", type: .dynamic, targets: ["UNetPluginEntry"]),
        .library(name: "SegdPluginUNETR", type: .dynamic, targets: ["UNETRPluginEntry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // Value types shared by everything: volumes, geometry, label maps, coded concepts. Depends on nothing.
        .target(name: "Imaging", swiftSettings: strictSwift),

        // DCMTK (+ OpenJPEG for JPEG 2000) behind a plain C API. The only C++ in the project.
        .target(
            name: "CDCMTKShim",
            linkerSettings: [
                // Listed explicitly: pkg-config's dcmtk.pc fails without libsndfile1-dev (see design notes).
                .linkedLibrary("dcmseg"), .linkedLibrary("dcmfg"), .linkedLibrary("dcmiod"),
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
        // Times the pipeline stages on full-size synthetic data (a benchmark, not a test).
        .executableTarget(name: "pipeline-bench", dependencies: ["Imaging", "SegModelKit"], swiftSettings: strictSwift),

        // Running a job end to end (series → model → outputs): `segd process` and the daemon's worker.
        .target(name: "SegdCore", dependencies: ["Imaging", "DICOM", "NN", "SegModelKit", "CZlib"],
                swiftSettings: strictSwift),

        // zlib from the system: deflate and CRC-32 for the PNG previews (SegdCore/Preview).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // libsystemd: sd_notify, sd_listen_fds, sd_journal_sendv.
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd"),

        // The daemon: configuration, ingest, job store, scheduler, workers, control socket, systemd.
        .target(name: "SegDaemon", dependencies: ["Imaging", "DICOM", "SegModelKit", "SegdCore", "SegControl",
                                                  "CSystemd", logging, serviceLifecycle, unixSignals, grdb],
                swiftSettings: strictSwift),

        .executableTarget(name: "segd", dependencies: ["Imaging", "DICOM", "SegModelKit", "SegdCore", "SegControl",
                                                       "SegDaemon", argumentParser, logging, serviceLifecycle],
                          swiftSettings: strictSwift),
        .executableTarget(name: "segctl", dependencies: ["SegControl", argumentParser],
                          swiftSettings: strictSwift),

        // Series-load throughput benchmark (not a test): `swift run -c release segd-bench-dicom`.
        .executableTarget(name: "segd-bench-dicom", dependencies: ["DICOM", "Imaging"],
                          path: "Benchmarks/DICOMBenchmark", swiftSettings: strictSwift),

        // DICOM-SEG write benchmark vs highdicom (not a test): `swift run -c release segd-bench-seg`.
        .executableTarget(name: "segd-bench-seg", dependencies: ["DICOM", "Imaging"],
                          path: "Benchmarks/SEGBenchmark", swiftSettings: strictSwift),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strictSwift),
        .testTarget(name: "SegModelKitTests", dependencies: ["SegModelKit"], exclude: ["Generators"],
                    swiftSettings: strictSwift),
        .target(name: "TestPluginWrongABI", dependencies: ["CSegPlugin"], path: "Tests/TestPlugins/WrongABI",
                publicHeadersPath: "."),
        .target(name: "TestPluginFaulty", dependencies: ["CSegPlugin"], path: "Tests/TestPlugins/Faulty",
                publicHeadersPath: "."),

        // OpenBLAS's C interface. Only Sources/NN/Ops/GEMM.swift imports it.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),

        // Tensors, ops, layers and safetensors I/O: the CPU inference engine. Knows nothing of DICOM.
        .target(name: "NN", dependencies: ["CBLAS"], exclude: ["README.md"], swiftSettings: strictSwift),
        .executableTarget(name: "nn-bench", dependencies: ["NN"], swiftSettings: strictSwift),
        .testTarget(name: "NNTests", dependencies: ["NN"], exclude: ["Generators"], swiftSettings: strictSwift),
        // End-to-end tests that run the built `segd` binary and plugins.
        .testTarget(name: "SegdCLITests", dependencies: ["TestSupport"], swiftSettings: strictSwift),
        // The daemon end to end: real `segd run` processes, real series, real plugins in worker processes.
        .testTarget(name: "DaemonTests", dependencies: ["SegDaemon", "SegControl", "SegModelKit", "TestSupport"],
                    swiftSettings: strictSwift),
        // Test helpers shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSwift),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "Imaging", "SegModelKit", "TestSupport"],
                    swiftSettings: strictSwift),
        .testTarget(name: "SEGTests", dependencies: ["DICOM", "Imaging"], swiftSettings: strictSwift),

        // UTNet (github.com/yhygao/UTNet) model plugin, its parity tests and its benchmark.
        .target(name: "UTNetPlugin", dependencies: ["SegModelKit", "NN"], path: "Plugins/UTNet/Sources",
                swiftSettings: strictSwift),
        .testTarget(name: "UTNetPluginTests", dependencies: ["UTNetPlugin", "SegModelKit", "NN"],
                    path: "Plugins/UTNet/Tests", exclude: ["Fixtures", "Generators"], swiftSettings: strictSwift),
        .executableTarget(name: "UTNet-bench", dependencies: ["UTNetPlugin", "PluginBenchKit", "SegModelKit", "NN"],
                          path: "Plugins/UTNet/Benchmark", swiftSettings: strictSwift),

        // MONAI UNet / BasicUNet and UNETR model plugins, their parity tests and benchmarks.
        .target(name: "UNetPlugin", dependencies: ["SegModelKit", "NN"], path: "Plugins/UNet/Sources",
                swiftSettings: strictSwift),
        .target(name: "UNetPluginEntry", dependencies: ["UNetPlugin", "SegModelKit"], path: "Plugins/UNet/Entry",
                swiftSettings: strictSwift),
        // Fixture loading and parity checks shared by the plugin test targets.
        .target(name: "PluginTestKit", dependencies: ["SegModelKit", "NN"], path: "Tests/PluginTestKit",
                swiftSettings: strictSwift),
        .testTarget(name: "UNetPluginTests", dependencies: ["UNetPlugin", "PluginTestKit", "SegModelKit", "NN"],
                    path: "Plugins/UNet/Tests", exclude: ["Fixtures"], swiftSettings: strictSwift),
        .target(name: "PluginBenchKit", dependencies: ["SegModelKit", "NN"], path: "Benchmarks/PluginBenchKit",
                swiftSettings: strictSwift),
        .executableTarget(name: "UNet-bench", dependencies: ["UNetPlugin", "PluginBenchKit", "SegModelKit", "NN"],
                          path: "Plugins/UNet/Benchmark", swiftSettings: strictSwift),
        .target(name: "UNETRPlugin", dependencies: ["SegModelKit", "NN"], path: "Plugins/UNETR/Sources",
                swiftSettings: strictSwift),
        .target(name: "UNETRPluginEntry", dependencies: ["UNETRPlugin", "SegModelKit"], path: "Plugins/UNETR/Entry",
                swiftSettings: strictSwift),
        .testTarget(name: "UNETRPluginTests", dependencies: ["UNETRPlugin", "PluginTestKit", "SegModelKit", "NN"],
                    path: "Plugins/UNETR/Tests", exclude: ["Fixtures", "Generators"], swiftSettings: strictSwift),
        .executableTarget(name: "UNETR-bench", dependencies: ["UNETRPlugin", "PluginBenchKit", "SegModelKit", "NN"],
                          path: "Plugins/UNETR/Benchmark", swiftSettings: strictSwift),
        // The preview renderer: PNG validity (decoded back with zlib), pixel content, a golden image.
        .testTarget(name: "PreviewTests", dependencies: ["SegdCore", "Imaging", "CZlib"], exclude: ["Golden"],
                    swiftSettings: strictSwift),
        // GRDB: a second connection that holds the store's lock; Logging: the scheduler's logger.
        .testTarget(name: "SegDaemonTests", dependencies: ["SegDaemon", "DICOM", "Imaging", "SegControl", grdb, logging,
                                                           serviceLifecycle, "TestSupport"],
                    swiftSettings: strictSwift),
        // The control protocol: framing, routes, DTOs, formatting (no daemon needed).
        .testTarget(name: "SegControlTests", dependencies: ["SegControl"], swiftSettings: strictSwift),
    ],
    cxxLanguageStandard: .cxx17
)
