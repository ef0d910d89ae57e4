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
/// </remarks>
public static class SeedExperimentPlan
{
    /// <summary>Standard ReLU SAEs.</summary>
    public const string Standard = "standard";

    /// <summary>Gated SAEs with the paper's full loss.</summary>
    public const string Gated = "gated";

    /// <summary>Gated SAEs with the note's loss (no auxiliary term).</summary>
    public const string GatedNote = "gated-note";

    /// <summary>The variant name of λ-sweep runs.</summary>
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
        return runs;
    }

    // Unique within a layer: the family, the variant and λ.
    private static SeedRunSpec Named(string family, string variant, SaeRunConfig config) =>
        new(family, variant, config with { Name = FormattableString.Invariant($"{family}-{variant}-l1-{config.L1Coefficient:G4}") });

    private static IEnumerable<(string Family, IReadOnlyList<double> Sweep)> Families(SeedExperimentOptions options)
    {
        yield return (Standard, options.StandardL1Coefficients);
        yield return (Gated, options.GatedL1Coefficients);
        yield return (GatedNote, options.GatedL1Coefficients);
    }

    private static SaeRunConfig Config(SeedExperimentOptions options, string family, double l1) => new()
    {
        Name = family,
        Architecture = family == Standard ? "standard" : "gated",
        GatedLoss = family == GatedNote ? GatedLossVariant.WithoutAuxiliary : GatedLossVariant.Full,
        Resampling = family != GatedNote,
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
