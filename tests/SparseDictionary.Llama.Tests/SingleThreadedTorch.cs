using System.Runtime.CompilerServices;

namespace SparseDictionary.Llama.Tests;

internal static class SingleThreadedTorch
{
    // The fixture models are tiny (260K parameters, a few tokens), so libtorch's intra-op threads only add synchronisation;
    // on a loaded 2-core machine their spin-waits made a 5-token forward take 80–870 ms instead of 4–14 ms.
#pragma warning disable CA2255 // A test assembly, not a library: this runs once before any test.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => torch.set_num_threads(1);
}
