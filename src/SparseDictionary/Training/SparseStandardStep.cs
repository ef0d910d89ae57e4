using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// The forward pass, loss and gradients of a <see cref="StandardSae"/> under <c>a‖x − x̂‖² + λ‖f‖₁</c> (batch means) in
/// closed form, written into the parameters' <c>grad</c>, in place of autograd. Only the encoder product is always
/// dense. With <c>xc = x − b_dec</c>, <c>z = xc W_enc + b_enc</c>, <c>f = ReLU(z)</c>, <c>x̂ = f W_dec + b_dec</c>,
/// <c>g = 2a(x̂ − x)/B</c> and <c>dz = (g W_decᵀ + λ/B) ⊙ 1[f &gt; 0]</c>:
/// <c>∇W_dec = fᵀg</c>, <c>∇W_enc = xcᵀdz</c>, <c>∇b_enc = Σ_b dz</c>, <c>∇b_dec = Σ_b g − W_enc Σ_b dz</c>.
/// </summary>
/// <remarks>
/// When a batch's activity (non-zero features / (B·d_sae)) is at most the threshold, <c>f</c> and <c>dz</c> are kept as
/// their non-zero entries: the decoder product, <c>fᵀg</c> and <c>xcᵀdz</c> are sparse × dense products
/// (<see cref="SparseRows"/>), and <c>g W_decᵀ</c> is computed at the active entries only (<see cref="SampledProduct"/>). Otherwise the same formulas run
/// as dense matmuls, which still skips autograd's product for the gradient of <c>xc</c> (five matmuls instead of six).
/// </remarks>
internal sealed class SparseStandardStep
{
    /// <summary>The default activity threshold, from the measured crossover (docs/performance.md).</summary>
    public const double DefaultMaxActivity = 0.2;

    private readonly StandardSae _sae;
    private readonly double _reconstructionCoefficient;
    private readonly double _l1Coefficient;
    private readonly string _reconstructionName;
    private readonly string _l1Name;

    internal SparseStandardStep(StandardSae sae, double reconstructionCoefficient, string reconstructionName, double l1Coefficient, string l1Name, double maxActivity)
    {
        _sae = sae;
        _reconstructionCoefficient = reconstructionCoefficient;
        _reconstructionName = reconstructionName;
        _l1Coefficient = l1Coefficient;
        _l1Name = l1Name;
        MaxActivity = maxActivity;
    }

    /// <summary>Batches at most this active use sparse products.</summary>
    public double MaxActivity { get; }

    /// <summary>Whether the last <see cref="Run"/> used sparse products.</summary>
    public bool LastStepWasSparse { get; private set; }

    /// <summary>
    /// The closed-form step when <paramref name="options"/> ask for it and it applies (a <see cref="StandardSae"/> and a
    /// loss of exactly a <see cref="ReconstructionLoss"/> and an unweighted <see cref="L1SparsityLoss"/> sparsity
    /// penalty); <see langword="null"/> otherwise (use autograd).
    /// </summary>
    public static SparseStandardStep? TryCreate(ISparseAutoencoder sae, SaeLoss loss, TrainerOptions options)
    {
        if (options.SparseStep == SparseStepMode.Off || sae is not StandardSae standard || loss.Terms.Count != 2) return null;
        var reconstruction = loss.Terms.FirstOrDefault(t => t.Term is ReconstructionLoss && !t.IsSparsityPenalty);
        var l1 = loss.Terms.FirstOrDefault(t => t.Term is L1SparsityLoss { WeightByDecoderNorm: false } && t.IsSparsityPenalty);
        if (reconstruction is null || l1 is null) return null;
        return new SparseStandardStep(standard, reconstruction.Coefficient, reconstruction.Term.Name, l1.Coefficient, l1.Term.Name, options.SparseStepMaxActivity);
    }

    /// <summary>
    /// Computes the forward pass and the loss on <paramref name="x"/> and writes the gradients (replacing any previous
    /// ones) into the SAE's parameters. The sparsity coefficient is multiplied by <paramref name="sparsityScale"/>.
    /// </summary>
    public (SaeForward Forward, LossValue Loss) Run(Tensor x, double sparsityScale = 1.0)
    {
        using var _ = no_grad();
        var wEnc = _sae.EncoderWeight;
        var bEnc = _sae.EncoderBias;
        var wDec = _sae.DecoderWeight;
        var bDec = _sae.DecoderBias;
        long batch = x.shape[0];
        double l1 = _l1Coefficient * sparsityScale;

        var xc = x - bDec;
        var pre = addmm(bEnc, xc, wEnc, beta: 1, alpha: 1);
        var f = nn.functional.relu(pre);
        long active = f.count_nonzero().ToInt64();
        LastStepWasSparse = active > 0 && active <= MaxActivity * batch * _sae.DSae;

        Tensor reconstruction, gradWDec, gradWEnc, gradBEnc, gradBDec, g;
        if (LastStepWasSparse)
        {
            using var features = SparseRows.FromDense(f);
            reconstruction = features.Multiply(wDec).add_(bDec);
            g = (reconstruction - x).mul_(2 * _reconstructionCoefficient / batch);
            using var byLatent = features.Transpose(out var order);
            gradWDec = byLatent.Multiply(g);
            // g W_decᵀ at the active entries only.
            var dz = SampledProduct.Compute(g, wDec, features.Rows, features.Columns).add_(l1 / batch);
            gradWEnc = byLatent.Multiply(xc, dz.index_select(0, order)).t();
            gradBEnc = zeros(_sae.DSae, dtype: dz.dtype, device: dz.device).index_add_(0, features.Columns, dz, 1.0);
        }
        else
        {
            reconstruction = addmm(bDec, f, wDec, beta: 1, alpha: 1);
            g = (reconstruction - x).mul_(2 * _reconstructionCoefficient / batch);
            gradWDec = f.t().mm(g);
            var dz = g.mm(wDec.t()).add_(l1 / batch).mul_(f > 0);
            gradWEnc = dz.t().mm(xc).t(); // (dzᵀ xc)ᵀ: the column-major layout of W_enc = 0.1·W_decᵀ, copied as is
            gradBEnc = dz.sum(dim: 0);
        }
        gradBDec = g.sum(dim: 0).sub_(wEnc.mv(gradBEnc));

        SetGradient(wEnc, gradWEnc);
        SetGradient(bEnc, gradBEnc);
        SetGradient(wDec, gradWDec);
        SetGradient(bDec, gradBDec);

        var mse = ReconstructionLoss.PerToken(x, reconstruction).mean();
        var sparsity = f.sum() / batch;
        var total = mse * _reconstructionCoefficient + sparsity * l1;
        var terms = new Dictionary<string, Tensor> { [_reconstructionName] = mse, [_l1Name] = sparsity };
        return (new SaeForward(f, reconstruction, pre), new LossValue(total, terms));
    }

    private static void SetGradient(Parameter parameter, Tensor gradient)
    {
        var existing = parameter.grad;
        // The gradient takes the parameter's memory layout (W_enc is usually a transposed view), as autograd's does.
        if (existing is null) parameter.grad = empty_like(parameter).copy_(gradient);
        else existing.copy_(gradient);
    }
}
