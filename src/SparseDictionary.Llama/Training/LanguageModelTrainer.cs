using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Trains a <see cref="LlamaModel"/> from scratch as a causal language model: next-token cross-entropy on windows drawn
/// at random from a packed token stream, AdamW, warm-up then cosine learning rate, gradient clipping, and the held-out
/// perplexity at intervals and at the end.
/// </summary>
public sealed class LanguageModelTrainer
{
    // GPT-2/llama2.c initialisation: N(0, 0.02), the projections into the residual stream scaled by 1/√(2·layers) so that
    // its variance does not grow with depth.
    private const double InitStd = 0.02;

    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">The training options.</param>
    /// <param name="logger">Receives a line per evaluation; none when <see langword="null"/>.</param>
    public LanguageModelTrainer(LanguageModelTrainerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the training options.</summary>
    public LanguageModelTrainerOptions Options { get; }

    /// <summary>Creates a float32 CPU model of shape <paramref name="config"/> with random initial weights, ready to train.</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    /// <returns>The model; the caller owns it.</returns>
    public static LlamaModel CreateModel(LlamaConfig config, int seed)
    {
        var model = new LlamaModel(config);
        using (no_grad())
        {
            using var generator = new Generator((ulong)seed);
            double residualStd = InitStd / Math.Sqrt(2.0 * config.LayerCount);
            foreach ((string name, Parameter parameter) in model.named_parameters())
            {
                if (parameter.dim() < 2)
                {
                    continue; // RMSNorm gains stay at one.
                }
                bool intoResidual = name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal);
                parameter.normal_(0, intoResidual ? residualStd : InitStd, generator);
            }
        }
        model.EnableTraining();
        return model;
    }

    /// <summary>Trains <paramref name="model"/> in place.</summary>
    /// <param name="model">A float32 model, such as one from <see cref="CreateModel"/>; its weights are made trainable.</param>
    /// <param name="trainTokens">The packed training token stream; longer than the context length.</param>
    /// <param name="heldOutTokens">The packed held-out token stream; at least two tokens.</param>
    /// <param name="progress">Receives every step; none when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The final training loss and held-out perplexity.</returns>
    /// <exception cref="ArgumentException">The streams are too short, or the context is longer than the model accepts.</exception>
    public LanguageModelTrainingResult Train(
        LlamaModel model,
        IReadOnlyList<int> trainTokens,
        IReadOnlyList<int> heldOutTokens,
        IProgress<LanguageModelTrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainTokens);
        ArgumentNullException.ThrowIfNull(heldOutTokens);
        LanguageModelTrainerOptions o = Options;
        if (o.ContextLength > model.Config.MaxSeqLen)
        {
            throw new ArgumentException($"The context length {o.ContextLength} exceeds the model's {model.Config.MaxSeqLen}.", nameof(model));
        }
        if (trainTokens.Count <= o.ContextLength + 1)
        {
            throw new ArgumentException($"The training stream needs more than {o.ContextLength + 1} tokens.", nameof(trainTokens));
        }
        if (o.Threads > 0)
        {
            set_num_threads(o.Threads);
        }

        var stopwatch = Stopwatch.StartNew();
        model.EnableTraining();
        model.train();
        Parameter[] all = model.parameters().ToArray();
        // Decay the matrices only: decaying RMSNorm gains towards zero would fight the normalisation.
        var groups = new[]
        {
            new AdamW.ParamGroup(all.Where(p => p.dim() >= 2), new AdamW.Options { LearningRate = o.LearningRate, weight_decay = o.WeightDecay }),
            new AdamW.ParamGroup(all.Where(p => p.dim() < 2), new AdamW.Options { LearningRate = o.LearningRate, weight_decay = 0 }),
        };
        using var optimizer = optim.AdamW(groups, o.LearningRate, o.Beta1, o.Beta2);
        var windows = new WindowSampler(trainTokens, o.ContextLength, o.Seed);

        double loss = double.NaN;
        double perplexity = double.NaN;
        for (int step = 0; step < o.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double rate = LanguageModelLearningRate.At(step, o);
            double gradientNorm;
            using (NewDisposeScope())
            {
                foreach (ParamGroup group in optimizer.ParamGroups)
                {
                    group.LearningRate = rate;
                }
                optimizer.zero_grad();
                Tensor batch = windows.Next(o.BatchSize);
                Tensor lossTensor = NextTokenLoss(model, batch, reduction: nn.Reduction.Mean);
                lossTensor.backward();
                gradientNorm = nn.utils.clip_grad_norm_(all, o.GradientClip);
                optimizer.step();
                loss = lossTensor.ToDouble();
            }

            bool last = step + 1 == o.Steps;
            double? evaluated = null;
            if (last || (o.EvalInterval > 0 && (step + 1) % o.EvalInterval == 0))
            {
                perplexity = Math.Exp(Evaluate(model, heldOutTokens, o.ContextLength, o.BatchSize, o.MaxEvalWindows));
                evaluated = perplexity;
                model.train();
                _logger.LogInformation("Step {Step}/{Steps}: loss {Loss:F4}, lr {Rate:G3}, held-out perplexity {Perplexity:F2}, {Seconds:F0} s",
                    step + 1, o.Steps, loss, rate, perplexity, stopwatch.Elapsed.TotalSeconds);
            }
            progress?.Report(new LanguageModelTrainingProgress(step + 1, o.Steps, loss, rate, gradientNorm, evaluated));
        }
        model.eval();
        return new LanguageModelTrainingResult(loss, perplexity, stopwatch.Elapsed);
    }

    /// <summary>
    /// Returns the mean next-token cross-entropy (nats per token; its exponential is the perplexity) of <paramref name="model"/>
    /// on <paramref name="tokens"/>, read as consecutive windows of <paramref name="contextLength"/> + 1 tokens overlapping by
    /// one, so that every token but the first is predicted once from up to <paramref name="contextLength"/> tokens before it
    /// in its window.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokens">The token stream; at least two tokens.</param>
    /// <param name="contextLength">Tokens per window.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <param name="maxWindows">Largest number of windows to read, from the start; 0 reads them all.</param>
    /// <returns>The mean loss per predicted token.</returns>
    public static double Evaluate(LlamaModel model, IReadOnlyList<int> tokens, int contextLength, int batchSize = 16, int maxWindows = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWindows);
        if (tokens.Count < 2)
        {
            throw new ArgumentException("At least two tokens are needed to predict one.", nameof(tokens));
        }
        var starts = new List<int>();
        for (int start = 0; start + 1 < tokens.Count && (maxWindows == 0 || starts.Count < maxWindows); start += contextLength)
        {
            starts.Add(start);
        }
        model.eval();
        double total = 0;
        long count = 0;
        using IDisposable noGrad = no_grad();
        // The last window may be shorter; windows of one length share a batch.
        foreach (IGrouping<int, int> sameLength in starts.GroupBy(s => Math.Min(contextLength + 1, tokens.Count - s)))
        {
            foreach (int[] chunk in sameLength.Chunk(batchSize))
            {
                using DisposeScope scope = NewDisposeScope();
                var ids = new long[chunk.Length * sameLength.Key];
                for (int w = 0; w < chunk.Length; w++)
                {
                    for (int t = 0; t < sameLength.Key; t++)
                    {
                        ids[w * sameLength.Key + t] = tokens[chunk[w] + t];
                    }
                }
                Tensor batch = tensor(ids, [chunk.Length, sameLength.Key]);
                total += NextTokenLoss(model, batch, nn.Reduction.Sum).ToDouble();
                count += chunk.Length * (long)(sameLength.Key - 1);
            }
        }
        return total / count;
    }

    // Cross-entropy of each window's tokens 1..n given the tokens before them, in float32 whatever the model's type.
    private static Tensor NextTokenLoss(LlamaModel model, Tensor windows, nn.Reduction reduction)
    {
        long length = windows.shape[1];
        Tensor inputs = windows.narrow(1, 0, length - 1);
        Tensor targets = windows.narrow(1, 1, length - 1);
        Tensor logits = model.forward(inputs).to_type(ScalarType.Float32);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), reduction: reduction);
    }
}
