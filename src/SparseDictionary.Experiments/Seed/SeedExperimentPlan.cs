using SparseDictionary.Experiments.Runs;
using SparseDictionary.Losses;
using SparseDictionary.Training;

namespace SparseDictionary.Experiments.Seed;

/// <summary>
/// Which SAEs the seed experiment trains at each layer: the original note's comparisons, each one command away.
/// </summary>
/// <remarks>
/// Three λ sweeps (the frontier lines): standard SAEs with resampling, Gated SAEs with the paper's full loss and
/// resampling, and Gated SAEs as the note trained them (no auxiliary term, no resampling). At one λ of each sweep, the
/// ablations: resampling switched the other way, and cosine-with-hard-restarts instead of a constant learning rate.
/// Then the architectures the note did not have, as more frontier lines: TopK and BatchTopK SAEs over k (with AuxK, no
/// resampling) and JumpReLU SAEs over their L0 coefficient.
/// </remarks>
public static class SeedExperimentPlan
{
    /// <summary>Standard ReLU SAEs.</summary>
    public const string Standard = "standard";

    /// <summary>Gated SAEs with the paper's full loss.</summary>
    public const string Gated = "gated";

    /// <summary>Gated SAEs with the note's loss (no auxiliary term).</summary>
    public const string GatedNote = "gated-note";

    /// <summary>TopK SAEs (Gao et al. 2024).</summary>
    public const string TopK = "topk";

    /// <summary>BatchTopK SAEs (Bussmann et al. 2024).</summary>
    public const string BatchTopK = "batchtopk";

    /// <summary>JumpReLU SAEs (Rajamanoharan et al. 2024).</summary>
    public const string JumpRelu = "jumprelu";

    /// <summary>The variant name of sweep runs (the frontier lines).</summary>
    public const string Sweep = "sweep";

    /// <summary>The variant with resampling switched off (standard, gated).</summary>
    public const string NoResampling = "no-resampling";

    /// <summary>The variant with resampling switched on (gated-note).</summary>
    public const string WithResampling = "resampling";

    /// <summary>The variant with cosine-with-hard-restarts learning rate.</summary>
    public const string CosineRestarts = "cosine-restarts";

    /// <summary>The runs of one layer, in the order they run.</summary>
    public static IReadOnlyList<SeedRunSpec> RunsFor(SeedExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var runs = new List<SeedRunSpec>();
        foreach ((string family, IReadOnlyList<double> sweep) in Families(options))
        {
            foreach (double l1 in sweep)
            {
                runs.Add(Named(family, Sweep, Config(options, family, l1)));
            }
        }
        foreach ((string family, IReadOnlyList<double> sweep) in Families(options))
        {
            SaeRunConfig baseline = Config(options, family, sweep[options.AblationIndex]);
            string flip = baseline.Resampling ? NoResampling : WithResampling;
            runs.Add(Named(family, flip, baseline with { Resampling = !baseline.Resampling }));
            if (family != GatedNote)
            {
                runs.Add(Named(family, CosineRestarts, baseline with { Schedule = LearningRateShape.CosineWithHardRestarts }));
            }
        }
        foreach (string family in new[] { TopK, BatchTopK })
        {
            foreach (int k in options.TopKs) runs.Add(Named(family, Sweep, Config(options, family, 0) with { K = k }));
        }
        foreach (double l0 in options.JumpReluL0Coefficients)
        {
            runs.Add(Named(JumpRelu, Sweep, Config(options, JumpRelu, l0) with
            {
                JumpReluBandwidth = options.JumpReluBandwidth, JumpReluInitialThreshold = options.JumpReluInitialThreshold,
            }));
        }
        return runs;
    }

    // Unique within a layer: the family, the variant and the sparsity setting (λ, λ0 or k).
    private static SeedRunSpec Named(string family, string variant, SaeRunConfig config)
    {
        string sparsity = config.Architecture switch
        {
            "topk" or "batchtopk" => FormattableString.Invariant($"k-{config.K}"),
            "jumprelu" => FormattableString.Invariant($"l0-{config.L1Coefficient:G4}"),
            _ => FormattableString.Invariant($"l1-{config.L1Coefficient:G4}"),
        };
        return new(family, variant, config with { Name = $"{family}-{variant}-{sparsity}" });
    }

    private static IEnumerable<(string Family, IReadOnlyList<double> Sweep)> Families(SeedExperimentOptions options)
    {
        yield return (Standard, options.StandardL1Coefficients);
        yield return (Gated, options.GatedL1Coefficients);
        yield return (GatedNote, options.GatedL1Coefficients);
    }

    private static SaeRunConfig Config(SeedExperimentOptions options, string family, double l1) => new()
    {
        Name = family,
        Architecture = family switch { Gated or GatedNote => "gated", _ => family },
        GatedLoss = family == GatedNote ? GatedLossVariant.WithoutAuxiliary : GatedLossVariant.Full,
        // The note's families resample (but its own Gated SAE); TopK-style SAEs have AuxK instead, JumpReLU neither.
        Resampling = family is Standard or Gated,
        ExpansionFactor = options.ExpansionFactor,
        L1Coefficient = l1,
        LearningRate = options.LearningRate,
        Steps = options.Steps,
        BatchSize = options.BatchSize,
        WarmupSteps = Math.Max(1, options.Steps / 20),
        L1WarmupSteps = Math.Max(1, options.Steps / 10),
        Seed = options.Seed,
    };
}
