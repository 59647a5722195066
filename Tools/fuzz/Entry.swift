import FoundationEssentials

#if FUZZING
    private let target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "envelope"

    /// libFuzzer's entry: one input for the target named by FUZZ_TARGET.
    @_cdecl("LLVMFuzzerTestOneInput")
    package func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        FuzzTargets.run(target, Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#else
    /// Without the fuzzer: runs every target on each file named, so saved crashes stay regression tests.
    @main
    struct Replay {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                for name in FuzzTargets.names { FuzzTargets.run(name, bytes) }
            }
        }
    }
#endif
