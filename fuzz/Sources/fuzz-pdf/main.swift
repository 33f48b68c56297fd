import FuzzSupport

runFuzzer { fuzzOne($0, $1) }
