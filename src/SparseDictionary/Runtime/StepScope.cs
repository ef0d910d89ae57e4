using static TorchSharp.torch;

namespace SparseDictionary.Runtime;

/// <summary>
/// The scope of one step of a loop over tensors (a training step, an evaluation or collection batch): TorchSharp's
/// platform workarounds in one <c>using</c>. It runs the <see cref="FinalizerSweep"/> (the previous step's finalizer-only
/// native handles are freed before this step allocates) and opens the dispose scope that owns the step's tensors, so
/// native memory stays flat over long runs.
/// </summary>
public static class StepScope
{
    /// <summary>Sweeps, then opens the step's dispose scope; dispose it at the end of the step.</summary>
    public static DisposeScope Begin()
    {
        FinalizerSweep.Run();
        return NewDisposeScope();
    }
}
