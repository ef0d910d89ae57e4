using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Seed;

/// <summary>
/// The seed experiment's settings, with defaults sized so the whole experiment runs in about ten minutes on two CPU cores
/// with the embedded default model. <see cref="Validate"/> names the first bad field.
/// </summary>
public sealed record SeedExperimentOptions
{
    /// <summary>The model folder (Hugging Face layout with <c>tokenizer.bin</c> or <c>tokenizer.model</c>).</summary>
    public required string ModelFolder { get; init; }

    /// <summary>The folder holding WikiText-2's <c>wikitext2-test.txt</c> and <c>wikitext2-valid.txt</c>.</summary>
    public required string CorporaFolder { get; init; }

    /// <summary>Where results, plots and the SAE folders are written.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>
    /// The blocks whose output is read; <see langword="null"/> for the note's three: block 2, the middle block and the
    /// second-to-last block.
    /// </summary>
    public IReadOnlyList<int>? Layers { get; init; }

    /// <summary>Training activations collected per layer.</summary>
    public long TrainTokens { get; init; } = 163_840;

    /// <summary>Held-out activations per layer for reconstruction and sparsity metrics.</summary>
    public long HeldOutTokens { get; init; } = 32_768;

    /// <summary>Held-out context windows on which CE loss recovered is measured.</summary>
    public int LossRecoveredWindows { get; init; } = 64;

    /// <summary>Tokens per context window.</summary>
    public int ContextLength { get; init; } = 128;

    /// <summary>Optimiser steps per SAE.</summary>
    public int Steps { get; init; } = 160;

    /// <summary>Tokens per step.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Latents per residual dimension.</summary>
    public int ExpansionFactor { get; init; } = 8;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>The λ sweep of standard SAEs.</summary>
    public IReadOnlyList<double> StandardL1Coefficients { get; init; } = [1, 2, 4, 8];

    /// <summary>The λ sweep of Gated SAEs (both losses).</summary>
    public IReadOnlyList<double> GatedL1Coefficients { get; init; } = [1, 2, 4, 8];

    /// <summary>The k sweep of TopK and BatchTopK SAEs; empty to leave them out.</summary>
    public IReadOnlyList<int> TopKs { get; init; } = [16, 32, 64];

    /// <summary>The L0-coefficient sweep of JumpReLU SAEs; empty to leave them out.</summary>
    public IReadOnlyList<double> JumpReluL0Coefficients { get; init; } = [0.03, 0.3, 3];

    /// <summary>
    /// JumpReLU's STE bandwidth ε. The paper's (0.001 at unit mean squared norm) moves the thresholds too little in a few
    /// hundred steps (L0 stayed at ~830 of 1,536 latents whatever λ0), so the seed experiment uses a wider one.
    /// </summary>
    public double JumpReluBandwidth { get; init; } = 0.2;

    /// <summary>JumpReLU's initial threshold θ₀ (the paper's: 0.001); 1.0 left every latent dead on the embedded model.</summary>
    public double JumpReluInitialThreshold { get; init; } = 0.5;

    /// <summary>Which entry of each λ sweep the ablations (resampling, schedule) use.</summary>
    public int AblationIndex { get; init; } = 1;

    /// <summary>Base seed of SAE initialisation and data order.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// Held-out tokens the feature browser of each layer's chosen SAE reads (written under <c>browse/layerN/</c>); 0 writes
    /// no browser.
    /// </summary>
    public long BrowserTokens { get; init; } = 16_384;

    /// <summary>Which SAE of each layer gets the feature browser. Default: the best CE loss recovered with L0 ≤ 64 and at most half the latents dead.</summary>
    public BrowserSelection BrowserSelection { get; init; } = new(MaxL0: 64, MaxDeadFraction: 0.5);

    /// <summary>Save every SAE as a SAELens folder under <c>saes/</c>.</summary>
    public bool SaveSaes { get; init; } = true;

    /// <summary>Device of the model and the SAEs; <see langword="null"/> for the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>Element type of the model, the activations and the SAEs.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// The shrunk version (<c>--quick</c>) that checks the pipeline in about a minute: 32,768 training and 8,192 held-out
    /// tokens, 8 CE windows, at most 40 steps of 512 tokens, browsers over at most 4,096 tokens.
    /// </summary>
    public SeedExperimentOptions Quick() => this with
    {
        TrainTokens = 32_768,
        HeldOutTokens = 8_192,
        LossRecoveredWindows = 8,
        Steps = Math.Min(Steps, 40),
        BatchSize = 512,
        BrowserTokens = Math.Min(BrowserTokens, 4_096),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ModelFolder, nameof(ModelFolder));
        ArgumentException.ThrowIfNullOrWhiteSpace(CorporaFolder, nameof(CorporaFolder));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputFolder, nameof(OutputFolder));
        if (Layers is { Count: 0 }) throw new ArgumentException("Layers must not be empty (null picks the default three).", nameof(Layers));
        if (Layers?.Any(l => l < 0) == true) throw new ArgumentOutOfRangeException(nameof(Layers), "Layers must be ≥ 0.");
        Positive(TrainTokens, nameof(TrainTokens));
        Positive(HeldOutTokens, nameof(HeldOutTokens));
        Positive(LossRecoveredWindows, nameof(LossRecoveredWindows));
        Positive(ContextLength, nameof(ContextLength));
        if (BrowserTokens < 0) throw new ArgumentOutOfRangeException(nameof(BrowserTokens), BrowserTokens, "BrowserTokens must be ≥ 0 (0 writes no browser).");
        ArgumentNullException.ThrowIfNull(BrowserSelection, nameof(BrowserSelection));
        if (!(BrowserSelection.MaxL0 >= 0)) throw new ArgumentOutOfRangeException(nameof(BrowserSelection), BrowserSelection.MaxL0, "BrowserSelection.MaxL0 must be ≥ 0.");
        if (!(BrowserSelection.MaxDeadFraction >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(BrowserSelection), BrowserSelection.MaxDeadFraction, "BrowserSelection.MaxDeadFraction must be ≥ 0.");
        }
        Positive(Steps, nameof(Steps));
        Positive(BatchSize, nameof(BatchSize));
        Positive(ExpansionFactor, nameof(ExpansionFactor));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be finite and positive.");
        Sweep(StandardL1Coefficients, nameof(StandardL1Coefficients));
        Sweep(GatedL1Coefficients, nameof(GatedL1Coefficients));
        if (TopKs is null || TopKs.Any(k => k <= 0)) throw new ArgumentOutOfRangeException(nameof(TopKs), "TopKs must hold positive values (or none).");
        if (JumpReluL0Coefficients is null || JumpReluL0Coefficients.Any(v => !(v >= 0) || !double.IsFinite(v)))
        {
            throw new ArgumentOutOfRangeException(nameof(JumpReluL0Coefficients), "JumpReluL0Coefficients must hold finite values ≥ 0 (or none).");
        }
        if (!(JumpReluBandwidth > 0) || !double.IsFinite(JumpReluBandwidth)) throw new ArgumentOutOfRangeException(nameof(JumpReluBandwidth), JumpReluBandwidth, "JumpReluBandwidth must be finite and positive.");
        if (!(JumpReluInitialThreshold > 0) || !double.IsFinite(JumpReluInitialThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(JumpReluInitialThreshold), JumpReluInitialThreshold, "JumpReluInitialThreshold must be finite and positive.");
        }
        int shortest = Math.Min(StandardL1Coefficients.Count, GatedL1Coefficients.Count);
        if (AblationIndex < 0 || AblationIndex >= shortest)
        {
            throw new ArgumentOutOfRangeException(nameof(AblationIndex), AblationIndex, $"AblationIndex must index both λ sweeps (0 to {shortest - 1}).");
        }
        if (!is_floating_point(DType)) throw new ArgumentOutOfRangeException(nameof(DType), DType, "DType must be a floating-point type.");
    }

    /// <summary>The layers to read for a model with <paramref name="layerCount"/> blocks.</summary>
    /// <exception cref="ArgumentException">A requested layer does not exist.</exception>
    public IReadOnlyList<int> LayersFor(int layerCount)
    {
        if (Layers is null)
        {
            return new[] { Math.Min(2, layerCount - 1), layerCount / 2, Math.Max(0, layerCount - 2) }.Distinct().Order().ToArray();
        }
        int tooDeep = Layers.FirstOrDefault(l => l >= layerCount, -1);
        if (tooDeep >= 0) throw new ArgumentException($"Layer {tooDeep} does not exist: the model has {layerCount} layers (0 to {layerCount - 1}).", nameof(Layers));
        return Layers.Distinct().Order().ToArray();
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    private static void Sweep(IReadOnlyList<double> values, string name)
    {
        if (values is null || values.Count == 0) throw new ArgumentException($"{name} must hold at least one λ.", name);
        if (values.Any(v => !(v >= 0) || !double.IsFinite(v))) throw new ArgumentOutOfRangeException(name, $"{name} must hold finite values ≥ 0.");
    }
}
