namespace SparseDictionary.Losses;

/// <summary>Which loss to train a Gated SAE with.</summary>
public enum GatedLossVariant
{
    /// <summary>The paper's loss: reconstruction + λ·L1(ReLU(π_gate)) + the frozen-decoder auxiliary term.</summary>
    Full,

    /// <summary>
    /// The original note's loss, without the auxiliary term (reconstruction + λ·L1(ReLU(π_gate))). Kept to reproduce that
    /// experiment; the gate path then learns only to be sparse.
    /// </summary>
    WithoutAuxiliary,
}

/// <summary>The default losses of the architectures, as the papers define them.</summary>
public static class SaeLosses
{
    /// <summary>Standard SAE: <c>‖x − x̂‖² + λ‖f‖₁</c>.</summary>
    public static SaeLoss Standard(double l1Coefficient, bool weightL1ByDecoderNorm = false) => new(
    [
        new WeightedLossTerm(new ReconstructionLoss(), 1.0),
        new WeightedLossTerm(new L1SparsityLoss(weightL1ByDecoderNorm), l1Coefficient, IsSparsityPenalty: true),
    ]);

    /// <summary>
    /// Gated SAE: <c>‖x − x̂‖² + λ‖ReLU(π_gate)‖₁</c>, plus <c>‖x − x̂_frozen(ReLU(π_gate))‖²</c> for
    /// <see cref="GatedLossVariant.Full"/>.
    /// </summary>
    public static SaeLoss Gated(double l1Coefficient, GatedLossVariant variant = GatedLossVariant.Full, bool weightL1ByDecoderNorm = false)
    {
        var terms = new List<WeightedLossTerm>
        {
            new(new ReconstructionLoss(), 1.0),
            new(new L1SparsityLoss(weightL1ByDecoderNorm), l1Coefficient, IsSparsityPenalty: true),
        };
        if (variant == GatedLossVariant.Full) terms.Add(new(new GatedAuxiliaryLoss(), 1.0));
        return new SaeLoss(terms);
    }

    /// <summary>The AuxK coefficient α of Gao et al. 2024 (Appendix A.2): 1/32.</summary>
    public const double DefaultAuxKCoefficient = 1.0 / 32;

    /// <summary>
    /// TopK and BatchTopK SAEs (Gao et al. 2024; Bussmann et al. 2024): <c>‖x − x̂‖² + α·L_aux</c>, the sparsity being set
    /// by k; no L1 term and no resampling (the AuxK term revives dead latents).
    /// </summary>
    /// <param name="auxKCoefficient">α (default 1/32); 0 leaves only the reconstruction term.</param>
    /// <param name="auxiliaryLatents"><c>k_aux</c>; <see langword="null"/> for <c>d_in / 2</c>.</param>
    /// <param name="deadWindowTokens">A latent not fired in this many tokens is dead for the AuxK term.</param>
    public static SaeLoss TopK(double auxKCoefficient = DefaultAuxKCoefficient, int? auxiliaryLatents = null, long deadWindowTokens = AuxKLoss.DefaultDeadWindowTokens) => new(
    [
        new WeightedLossTerm(new ReconstructionLoss(), 1.0),
        new WeightedLossTerm(new AuxKLoss(auxiliaryLatents, deadWindowTokens), auxKCoefficient),
    ]);

    /// <summary>
    /// JumpReLU SAE (Rajamanoharan et al. 2024): <c>‖x − x̂‖² + λ Σᵢ H(zᵢ − θᵢ)</c>; λ is a sparsity penalty, so the
    /// trainer's coefficient warm-up applies to it.
    /// </summary>
    /// <param name="l0Coefficient">λ.</param>
    public static SaeLoss JumpRelu(double l0Coefficient) => new(
    [
        new WeightedLossTerm(new ReconstructionLoss(), 1.0),
        new WeightedLossTerm(new JumpReluL0Loss(), l0Coefficient, IsSparsityPenalty: true),
    ]);
}
