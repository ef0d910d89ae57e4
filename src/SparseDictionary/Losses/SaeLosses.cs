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
}
