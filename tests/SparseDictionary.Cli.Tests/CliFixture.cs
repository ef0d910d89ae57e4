using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Cli.Tests;

/// <summary>
/// Files the command tests share, in a temporary folder: a corpus, and SAEs saved with <see cref="SaeLensFolder"/> for
/// stories260K (width 64): one that reconstructs exactly, and one of the wrong width.
/// </summary>
public sealed class CliFixture : IDisposable
{
    /// <summary>The hook the SAEs record in their cfg.json.</summary>
    public const string HookName = "blocks.2.hook_resid_post";

    /// <summary>Writes the files.</summary>
    public CliFixture()
    {
        Folder = TestPaths.NewTempFolder();
        Corpus = Path.Combine(Folder, "story.txt");
        File.WriteAllText(Corpus, string.Join("\n\n", Enumerable.Repeat(TestPaths.Story, 4)));
        IdentitySae = Path.Combine(Folder, "identity-sae");
        SaveIdentitySae(IdentitySae, 64, HookName);
        NarrowSae = Path.Combine(Folder, "narrow-sae");
        SaveIdentitySae(NarrowSae, 32, HookName);
        NoHookSae = Path.Combine(Folder, "no-hook-sae");
        SaveIdentitySae(NoHookSae, 64, hookName: null);
    }

    /// <summary>Gets the temporary folder.</summary>
    public string Folder { get; }

    /// <summary>Gets a plain-text corpus of a few hundred tokens.</summary>
    public string Corpus { get; }

    /// <summary>
    /// Gets an SAE with d_in 64 and d_sae 128 whose reconstruction is exact: W_enc = [I, −I], W_dec = [I; −I], no biases, so
    /// relu(x) − relu(−x) = x, and exactly one latent fires per non-zero input dimension.
    /// </summary>
    public string IdentitySae { get; }

    /// <summary>Gets the same construction with d_in 32: too narrow for the model.</summary>
    public string NarrowSae { get; }

    /// <summary>Gets the identity SAE with no hook name in its cfg.json.</summary>
    public string NoHookSae { get; }

    /// <summary>Creates a new empty folder inside <see cref="Folder"/>.</summary>
    public string NewFolder()
    {
        string path = Path.Combine(Folder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static void SaveIdentitySae(string folder, int dIn, string? hookName)
    {
        using var sae = new StandardSae(dIn, 2 * dIn);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            Tensor identity = eye(dIn);
            sae.NamedParameters["W_enc"].copy_(cat([identity, -identity], 1));
            sae.NamedParameters["W_dec"].copy_(cat([identity, -identity], 0));
            sae.NamedParameters["b_enc"].zero_();
            sae.NamedParameters["b_dec"].zero_();
        }
        SaeLensFolder.Save(sae, folder, new SaeLensMetadata { ModelName = "stories260K", HookName = hookName });
    }
}
