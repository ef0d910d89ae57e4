using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// Adam (Kingma and Ba 2015) exactly as <c>torch.optim.Adam</c> computes it (no weight decay, no AMSGrad), with its
/// moments exposed so neuron resampling can reset the rows and columns of the latents it touches.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private readonly List<(string Name, Parameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq)> _state = new();
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;

    /// <summary>Creates the optimizer with zero moments for every parameter.</summary>
    /// <param name="parameters">Named parameters to optimise.</param>
    /// <param name="beta1">Decay of the first moment (PyTorch default 0.9).</param>
    /// <param name="beta2">Decay of the second moment (PyTorch default 0.999).</param>
    /// <param name="epsilon">Denominator guard (PyTorch default 1e-8).</param>
    public AdamOptimizer(IEnumerable<KeyValuePair<string, Parameter>> parameters, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "Adam beta1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "Adam beta2 must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Adam epsilon must be positive.");
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        foreach (var (name, p) in parameters)
        {
            _state.Add((name, p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope()));
        }
    }

    /// <summary>Number of steps taken (the bias-correction step count).</summary>
    public long StepCount { get; internal set; }

    /// <summary>Clears the parameters' gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p, _, _) in _state) p.grad?.zero_();
    }

    /// <summary>One Adam update of every parameter that has a gradient, at learning rate <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        StepCount++;
        double bias1 = 1 - Math.Pow(_beta1, StepCount);
        double bias2Sqrt = Math.Sqrt(1 - Math.Pow(_beta2, StepCount));
        foreach (var (_, p, m, v) in _state)
        {
            var g = p.grad;
            if (g is null) continue;
            m.mul_(_beta1).add_(g, alpha: 1 - _beta1);
            v.mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
            var denominator = (v.sqrt() / bias2Sqrt).add_(_epsilon);
            p.addcdiv_(m, denominator, value: -learningRate / bias1);
        }
    }

    /// <summary>The first and second moments of parameter <paramref name="name"/> (live tensors, not copies).</summary>
    public (Tensor ExpAvg, Tensor ExpAvgSq) Moments(string name)
    {
        foreach (var (n, _, m, v) in _state)
        {
            if (n == name) return (m, v);
        }
        throw new ArgumentException($"The optimizer has no parameter '{name}'.", nameof(name));
    }

    /// <summary>The names of the optimised parameters, in order.</summary>
    public IEnumerable<string> ParameterNames => _state.Select(s => s.Name);

    /// <summary>Zeroes both moments of parameter <paramref name="name"/> at <paramref name="indices"/> along <paramref name="axis"/>.</summary>
    public void ResetMoments(string name, Tensor indices, int axis)
    {
        using var _ = no_grad();
        var (m, v) = Moments(name);
        m.index_fill_(axis, indices.to(m.device), 0.0);
        v.index_fill_(axis, indices.to(v.device), 0.0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, _, m, v) in _state)
        {
            m.Dispose();
            v.Dispose();
        }
        _state.Clear();
    }
}
