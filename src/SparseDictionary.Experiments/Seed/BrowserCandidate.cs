using SparseDictionary.Autoencoders;
using SparseDictionary.Experiments.Results;

namespace SparseDictionary.Experiments.Seed;

/// <summary>Holds the best SAE of a layer so far by a <see cref="BrowserSelection"/>; the others are disposed as they lose.</summary>
internal sealed class BrowserCandidate(BrowserSelection selection) : IDisposable
{
    /// <summary>The SAE kept, or <see langword="null"/> before the first offer.</summary>
    public ISparseAutoencoder? Sae { get; private set; }

    /// <summary>The run that trained <see cref="Sae"/>.</summary>
    public RunResult? Run { get; private set; }

    /// <summary>Takes ownership of <paramref name="sae"/>: keeps it if its run is preferred, otherwise disposes it.</summary>
    public void Offer(ISparseAutoencoder sae, RunResult run)
    {
        if (selection.Prefers(run, Run))
        {
            Sae?.Dispose();
            (Sae, Run) = (sae, run);
        }
        else
        {
            sae.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Sae?.Dispose();
        (Sae, Run) = (null, null);
    }
}
