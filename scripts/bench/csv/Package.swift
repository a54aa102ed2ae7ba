// swift-tools-version:6.0
// On-demand benchmark: Ouro's CSVParser against SwiftCSV and yaslab/CSV.swift (scripts/bench/csv.sh runs it).
// Not part of the root package's build or tests; it depends on the root package by path.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between checkouts (main, a CI clone…).
let ouroRoot = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../../..").standardized
let ouroIdentity = ouroRoot.lastPathComponent.lowercased()

let package = Package(
    name: "CSVBench",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "../../.."),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // Already one of Ouro's dependencies; here for SHA-256 (checking each reader against Python's csv).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .executableTarget(
            name: "CSVBench",
            dependencies: [
                .product(name: "Ouro", package: ouroIdentity),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
