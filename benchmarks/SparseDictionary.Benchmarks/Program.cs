using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/SparseDictionary.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(SparseDictionary.Benchmarks.HotPathBenchmarks).Assembly).Run(args);
