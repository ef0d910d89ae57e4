namespace SparseDictionary.Bridges;

/// <summary>How a <see cref="LossRecoveredEvaluator"/> splices an SAE into the model and summarises the result.</summary>
public sealed record LossRecoveredOptions
{
    private readonly int _batchSize = 8;
    private readonly IReadOnlyList<double> _deltaQuantiles = [0.05, 0.25, 0.5, 0.75, 0.95];

    /// <summary>Creates options for an SAE read at <paramref name="hookPoint"/>.</summary>
    /// <param name="hookPoint">The site whose value the SAE reconstructs, usually the residual stream after a block.</param>
    public LossRecoveredOptions(HookPoint hookPoint) => HookPoint = hookPoint;

    /// <summary>Gets the site whose value is replaced by the SAE's reconstruction (or by zeros, for the ablation).</summary>
    public HookPoint HookPoint { get; init; }

    /// <summary>
    /// Gets the number of token windows (rows) per forward pass; 8 by default. Each batch keeps about three
    /// <c>[batch, seq, vocab]</c> float32 tensors alive at once, which bounds it for large vocabularies.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int BatchSize
    {
        get => _batchSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BatchSize));
            _batchSize = value;
        }
    }

    /// <summary>
    /// Gets whether positions holding the model's BOS token (<see cref="LlamaConfig.BosTokenId"/>) are replaced too;
    /// <see langword="false"/> by default, so a BOS position (usually position 0) keeps its clean value in both the
    /// spliced and the zero-ablated pass.
    /// </summary>
    /// <remarks>
    /// Llama-2's residual stream at BOS is a huge outlier that SAEs are usually trained without (SAELens excludes special
    /// tokens from the splice by option for the same reason); splicing a poor reconstruction there would dominate the loss
    /// of every later token and say little about the SAE on ordinary text. Padding positions (attention mask 0) are never
    /// replaced: they cannot affect real positions, and their values are meaningless.
    /// </remarks>
    public bool SpliceBos { get; init; }

    /// <summary>
    /// Gets whether <see cref="LossRecoveredResult.PerTokenCeLossDeltas"/> is filled with every scored token's
    /// <c>CE_sae − CE_clean</c>, for plots; <see langword="false"/> by default. The deltas are kept during the run either
    /// way (4 bytes a scored token), since the quantiles need them.
    /// </summary>
    public bool KeepPerTokenDeltas { get; init; }

    /// <summary>
    /// Gets the quantile levels, each in [0, 1], at which the per-token <c>CE_sae − CE_clean</c> distribution is reported;
    /// 0.05, 0.25, 0.5, 0.75 and 0.95 by default.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A level is outside [0, 1] or not a number.</exception>
    public IReadOnlyList<double> DeltaQuantiles
    {
        get => _deltaQuantiles;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(DeltaQuantiles));
            foreach (double level in value)
            {
                if (!(level >= 0 && level <= 1))
                {
                    throw new ArgumentOutOfRangeException(nameof(DeltaQuantiles), level, "Quantile levels must lie in [0, 1].");
                }
            }
            // A copy, so the record stays immutable whatever the caller does to its list afterwards.
            _deltaQuantiles = [.. value];
        }
    }
}
