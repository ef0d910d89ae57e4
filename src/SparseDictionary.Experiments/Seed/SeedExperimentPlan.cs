using SparseDictionary.Experiments.Runs;
using SparseDictionary.Autoencoders;
using SparseDictionary.Training;

namespace SparseDictionary.Experiments.Seed;

/// <summary>
/// Which SAEs the seed experiment trains at each layer: the original note's comparisons, each one command away.
/// </summary>
/// <remarks>
/// Three λ sweeps (the frontier lines): standard SAEs with resampling, Gated SAEs with the paper's full loss and
/// resampling, and Gated SAEs as the note trained them (no auxiliary term, no resampling). At one λ of each sweep, the
/// ablations: resampling switched the other way, and cosine-with-hard-restarts instead of a constant learning rate.
/// Then the architectures the note did not have, as more frontier lines: TopK, BatchTopK and Matryoshka BatchTopK SAEs
/// over k (with AuxK, no resampling) and JumpReLU SAEs over their L0 coefficient.
/// </remarks>
public static class SeedExperimentPlan
{
    /// <summary>Standard ReLU SAEs.</summary>
    public const string Standard = StandardArchitecture.ArchitectureName;

    /// <summary>Gated SAEs with the paper's full loss.</summary>
    public const string Gated = GatedArchitecture.ArchitectureName;

    /// <summary>Gated SAEs with the note's loss (no auxiliary term).</summary>
    public const string GatedNote = GatedArchitecture.ArchitectureName + "-note";

    /// <summary>TopK SAEs (Gao et al. 2024).</summary>
    public const string TopK = TopKArchitecture.ArchitectureName;

    /// <summary>BatchTopK SAEs (Bussmann et al. 2024).</summary>
    public const string BatchTopK = BatchTopKArchitecture.ArchitectureName;

    /// <summary>Matryoshka BatchTopK SAEs (Bussmann et al. 2025), with the default groups.</summary>
    public const string MatryoshkaBatchTopK = MatryoshkaBatchTopKArchitecture.ArchitectureName;

    /// <summary>JumpReLU SAEs (Rajamanoharan et al. 2024).</summary>
    public const string JumpRelu = JumpReluArchitecture.ArchitectureName;

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
        foreach ((string family, IReadOnlyList<double> sweep, Func<double, ArchitectureSpec> spec, bool resampling) in L1Families(options))
        {
            foreach (double l1 in sweep) runs.Add(Named(family, Sweep, Config(options, spec(l1), resampling)));
        }
        foreach ((string family, IReadOnlyList<double> sweep, Func<double, ArchitectureSpec> spec, bool resampling) in L1Families(options))
        {
            SaeRunConfig baseline = Config(options, spec(sweep[options.AblationIndex]), resampling);
            string flip = resampling ? NoResampling : WithResampling;
            runs.Add(Named(family, flip, baseline with { Training = baseline.Training with { Resampling = resampling ? null : SaeRunConfig.ResamplingFor(baseline.Training) } }));
            if (family != GatedNote)
            {
                runs.Add(Named(family, CosineRestarts, baseline with { Training = baseline.Training with { LearningRateShape = LearningRateShape.CosineWithHardRestarts } }));
            }
        }
        foreach ((string family, Func<int, ArchitectureSpec> spec) in KFamilies())
        {
            foreach (int k in options.TopKs) runs.Add(Named(family, Sweep, Config(options, spec(k), resampling: false)));
        }
        foreach (double l0 in options.JumpReluL0Coefficients)
        {
            var spec = new JumpReluSpec { L0Coefficient = l0, Bandwidth = options.JumpReluBandwidth, InitialThreshold = options.JumpReluInitialThreshold };
            runs.Add(Named(JumpRelu, Sweep, Config(options, spec, resampling: false)));
        }
        return runs;
    }

    // Unique within a layer: the family, the variant and the sparsity setting (λ, λ0 or k).
    private static SeedRunSpec Named(string family, string variant, SaeRunConfig config) =>
        new(family, variant, config with { Name = $"{family}-{variant}-{config.Architecture.Sparsity.NameSuffix}" });

    // The note's families resample (but its own Gated SAE).
    private static IEnumerable<(string Family, IReadOnlyList<double> Sweep, Func<double, ArchitectureSpec> Spec, bool Resampling)> L1Families(SeedExperimentOptions options)
    {
        yield return (Standard, options.StandardL1Coefficients, l1 => new StandardSpec { L1Coefficient = l1 }, true);
        yield return (Gated, options.GatedL1Coefficients, l1 => new GatedSpec { L1Coefficient = l1 }, true);
        yield return (GatedNote, options.GatedL1Coefficients, l1 => new GatedSpec { L1Coefficient = l1, GatedLoss = GatedLossVariant.WithoutAuxiliary }, false);
    }

    // TopK-style SAEs have AuxK instead of resampling.
    private static IEnumerable<(string Family, Func<int, ArchitectureSpec> Spec)> KFamilies()
    {
        yield return (TopK, k => new TopKSpec { K = k });
        yield return (BatchTopK, k => new BatchTopKSpec { K = k });
        yield return (MatryoshkaBatchTopK, k => new MatryoshkaBatchTopKSpec { K = k });
    }

    private static SaeRunConfig Config(SeedExperimentOptions options, ArchitectureSpec spec, bool resampling)
    {
        var training = new TrainerOptions
        {
            LearningRate = options.LearningRate,
            TotalSteps = options.Steps,
            BatchSize = options.BatchSize,
            WarmupSteps = Math.Max(1, options.Steps / 20),
            L1WarmupSteps = Math.Max(1, options.Steps / 10),
            Seed = options.Seed,
            LogEverySteps = Math.Max(1, options.Steps / 50),
        };
        return new SaeRunConfig
        {
            Name = spec.Architecture.Name,
            Architecture = spec,
            ExpansionFactor = options.ExpansionFactor,
            Training = training with { Resampling = resampling ? SaeRunConfig.ResamplingFor(training) : null },
        };
    }
}
