// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ouro",
    platforms: [.macOS(.v13)],

    // MARK: - Public products
    products: [
        .executable(name: "ouro", targets: ["ouro"]),
        .library(name: "Ouro", targets: ["Ouro"]),
        .library(name: "OuroLua", targets: ["OuroLua"]),
    ],

    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],

    targets: [
        // MARK: - C doors (module maps and static inline shims only, no logic)
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // Compiler builtins (prefetch) as static inline functions; nothing to link.
        .systemLibrary(name: "CSupport"),

        // MARK: - Implementation
        // The engine: pure Swift, knows nothing of Lua.
        .target(name: "Ouro", dependencies: [
            "COpenBLAS", "CSupport", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The benchmarks: Ouro's side of each speed target, timed against a peer in the same run
        // (the peers' Python halves live in scripts/bench/). Only the CLI links it.
        .target(name: "OuroBench", dependencies: ["Ouro"]),
        // The bridge: Lua state, conversion, userdata, sandbox, limits, the `ouro` module, the REPL engine.
        .target(name: "OuroLua", dependencies: ["CLua", "Ouro"]),
        // The thin command-line tool.
        .executableTarget(
            name: "ouro",
            dependencies: [
                "Ouro", "OuroLua", "OuroBench", "CEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        .testTarget(name: "OuroTests", dependencies: ["Ouro", "OuroBench", .product(name: "ZIPFoundation", package: "ZIPFoundation")], path: "Tests/OuroTests"),
        .testTarget(name: "OuroLuaTests", dependencies: ["OuroLua", "Ouro", "CLua", "ouro"], path: "Tests/OuroLuaTests"),
    ]
)
