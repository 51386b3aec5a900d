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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Value types shared by everything: volumes, geometry, label maps, coded concepts. Depends on nothing.
        .target(name: "Imaging", swiftSettings: strictSwift),

        // The control protocol shared by segd and segctl. Light: no DCMTK, no BLAS.
        .target(name: "SegControl", swiftSettings: strictSwift),

        // The model plugin C ABI (header shared by host and plugins) and the plugin SDK / host.
        .target(name: "CSegPlugin"),
        .target(name: "SegModelKit", dependencies: ["Imaging", "NN", "CSegPlugin"], swiftSettings: strictSwift),

        .executableTarget(name: "segd", dependencies: ["Imaging", "SegControl", argumentParser],
                          swiftSettings: strictSwift),
        .executableTarget(name: "segctl", dependencies: ["SegControl", argumentParser],
                          swiftSettings: strictSwift),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strictSwift),
        .testTarget(name: "SegModelKitTests", dependencies: ["SegModelKit"], swiftSettings: strictSwift),
        .target(name: "TestPluginWrongABI", dependencies: ["CSegPlugin"], path: "Tests/TestPlugins/WrongABI",
                publicHeadersPath: "."),

        // OpenBLAS's C interface. Only Sources/NN/Ops/GEMM.swift imports it.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),

        // Tensors, ops, layers and safetensors I/O: the CPU inference engine. Knows nothing of DICOM.
        .target(name: "NN", dependencies: ["CBLAS"], exclude: ["README.md"], swiftSettings: strictSwift),
        .executableTarget(name: "nn-bench", dependencies: ["NN"], swiftSettings: strictSwift),
        .testTarget(name: "NNTests", dependencies: ["NN"], exclude: ["Generators"], swiftSettings: strictSwift),
    ],
    cxxLanguageStandard: .cxx17
)
