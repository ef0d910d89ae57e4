namespace SparseDictionary.Training;

/// <summary>How the trainer computes a standard SAE's gradients (see <see cref="TrainerOptions.SparseStep"/>).</summary>
public enum SparseStepMode
{
    /// <summary>
    /// Closed-form gradients of the standard loss (reconstruction + L1) where they apply, with the decoder product and
    /// the backward done as sparse products when a batch's activity (L0 / d_sae) is at most
    /// <see cref="TrainerOptions.SparseStepMaxActivity"/> and as dense matmuls otherwise; autograd for every other
    /// architecture or loss.
    /// </summary>
    Auto,

    /// <summary>Always autograd (the reference computation).</summary>
    Off,
}
