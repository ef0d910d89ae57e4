using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// What defines one architecture's SAE and loss, apart from the run (<see cref="TrainerOptions"/>: steps, batch, learning
/// rate, schedule, warm-ups, seed): its own parameters, such as λ, k, the JumpReLU bandwidth or Matryoshka group sizes.
/// Each architecture has one sealed record deriving from this one, in its own folder; its properties are its parameters,
/// named in snake_case in sweep files and <c>results.json</c> and in kebab-case on the command line.
/// </summary>
/// <remarks>
/// A spec knows nothing of the width: <see cref="CreateSae"/> takes <c>d_in</c> and <c>d_sae</c>.
/// <see cref="Validate"/> checks every parameter and names the first bad one.
/// </remarks>
public abstract record ArchitectureSpec
{
    /// <summary>The architecture this spec belongs to (its registry entry; not a parameter).</summary>
    public abstract SaeArchitecture Architecture { get; }

    /// <summary>The parameter that sets the sparsity, for tables, plots and run names (λ, λ0 or k; derived, not a parameter).</summary>
    public abstract SparsitySetting Sparsity { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid parameter.</summary>
    public abstract void Validate();

    /// <summary>A freshly initialised SAE of this architecture (validates the spec first).</summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="device">Device of the parameters (default CPU).</param>
    /// <param name="dtype">Element type of the parameters.</param>
    /// <param name="generator">Random generator of the initialisation (a CPU generator).</param>
    public abstract ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null);

    /// <summary>
    /// The loss this architecture is trained with under <paramref name="run"/> (the papers' losses; see
    /// <c>docs/formulas.md</c>), for <paramref name="sae"/>, an SAE this spec created or loaded.
    /// </summary>
    public abstract SaeLoss CreateLoss(ISparseAutoencoder sae, TrainerOptions run);
}

/// <summary>The parameter that sets an SAE's sparsity.</summary>
/// <param name="Key">Short key for run names: <c>l1</c>, <c>l0</c> or <c>k</c>.</param>
/// <param name="Symbol">Symbol for tables: <c>λ</c>, <c>λ0</c> or <c>k</c>.</param>
/// <param name="Value">Its value.</param>
/// <param name="IsL1Coefficient">Whether it is the coefficient of an L1 penalty (what the MSE-vs-λ plot shows).</param>
public sealed record SparsitySetting(string Key, string Symbol, double Value, bool IsL1Coefficient = false)
{
    /// <summary>For tables: <c>λ=2</c>, <c>λ0=0.1</c>, <c>k=32</c>.</summary>
    public string Label => FormattableString.Invariant($"{Symbol}={Value:G4}");

    /// <summary>For run and folder names: <c>l1-2</c>, <c>l0-0.1</c>, <c>k-32</c>.</summary>
    public string NameSuffix => FormattableString.Invariant($"{Key}-{Value:G4}");

    /// <summary>An L1 coefficient λ.</summary>
    public static SparsitySetting L1(double value) => new("l1", "λ", value, IsL1Coefficient: true);

    /// <summary>An L0 coefficient λ0.</summary>
    public static SparsitySetting L0(double value) => new("l0", "λ0", value);

    /// <summary>Active latents per token k.</summary>
    public static SparsitySetting K(int value) => new("k", "k", value);
}
