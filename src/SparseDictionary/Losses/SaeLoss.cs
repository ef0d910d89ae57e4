using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>A loss term with its coefficient. Sparsity penalties are scaled by the trainer's coefficient warm-up.</summary>
/// <param name="Term">The term.</param>
/// <param name="Coefficient">Its weight in the total.</param>
/// <param name="IsSparsityPenalty">Whether the L1-coefficient warm-up applies to it.</param>
public sealed record WeightedLossTerm(ILossTerm Term, double Coefficient, bool IsSparsityPenalty = false);

/// <summary>The value of a composed loss: the differentiable total and each term's unweighted value.</summary>
/// <param name="Total">Weighted sum of the terms.</param>
/// <param name="Terms">Each term's unweighted value by name.</param>
public sealed record LossValue(Tensor Total, IReadOnlyDictionary<string, Tensor> Terms);

/// <summary>A training loss: a weighted sum of <see cref="ILossTerm"/>s.</summary>
public sealed class SaeLoss
{
    /// <summary>Composes <paramref name="terms"/>; names must be unique.</summary>
    public SaeLoss(IReadOnlyList<WeightedLossTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0) throw new ArgumentException("A loss needs at least one term.", nameof(terms));
        var duplicate = terms.GroupBy(t => t.Term.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Loss term '{duplicate.Key}' appears twice.", nameof(terms));
        foreach (var t in terms)
        {
            if (!double.IsFinite(t.Coefficient) || t.Coefficient < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(terms), t.Coefficient, $"Coefficient of '{t.Term.Name}' must be finite and non-negative.");
            }
        }
        Terms = terms;
    }

    /// <summary>The weighted terms.</summary>
    public IReadOnlyList<WeightedLossTerm> Terms { get; }

    /// <summary>The composition, for logs: <c>1·mse_loss + 5·l1_loss</c>.</summary>
    public override string ToString() =>
        string.Join(" + ", Terms.Select(t => FormattableString.Invariant($"{t.Coefficient:G4}·{t.Term.Name}")));

    /// <summary>Evaluates every term and their weighted sum.</summary>
    /// <param name="x">Input activations.</param>
    /// <param name="forward">The SAE's forward pass on <paramref name="x"/>.</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="sparsityScale">Multiplier on sparsity penalties (the coefficient warm-up; 1 when done).</param>
    /// <param name="context">Training state for terms that need it (<see cref="LossContext.None"/> when omitted).</param>
    public LossValue Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae, double sparsityScale = 1.0, LossContext? context = null)
    {
        context ??= LossContext.None;
        var values = new Dictionary<string, Tensor>(Terms.Count);
        Tensor? total = null;
        foreach (var (term, coefficient, isSparsity) in Terms)
        {
            var value = term.Compute(x, forward, sae, context);
            values[term.Name] = value;
            var weighted = value * (coefficient * (isSparsity ? sparsityScale : 1.0));
            total = total is null ? weighted : total + weighted;
        }
        return new LossValue(total!, values);
    }
}
