using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using Xunit;

namespace SparseDictionary.Tests.Formats;

/// <summary>Saving is atomic as a folder: the target holds the old folder or the complete new one, and no temp folder remains.</summary>
public sealed class SaeLensAtomicSaveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.File("sae");

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(Target).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private void AssertOnlyTheTargetExists() => Assert.Equal(["sae"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName));

    private void SaveOld()
    {
        using var old = new StandardSae(2, 3);
        SaeLensFolder.Save(old, Target, new SaeLensMetadata { HookName = "old" }, [-1, -2, -3]);
    }

    [Fact]
    public void SavingOverAnExistingFolder_ReplacesItCompletely()
    {
        SaveOld();
        File.WriteAllText(Path.Combine(Target, "notes.txt"), "stale");

        using var sae = new GatedSae(4, 5);
        SaeLensFolder.Save(sae, Target + Path.DirectorySeparatorChar, new SaeLensMetadata { HookName = "new" });

        Assert.Equal(["cfg.json", "sae_weights.safetensors"], Directory.GetFiles(Target).Select(Path.GetFileName).Order());
        Assert.Equal(("gated", "new"), (SaeLensFolder.ReadConfig(Target).Architecture, SaeLensFolder.ReadConfig(Target).Metadata.HookName));
        Assert.Null(SaeLensFolder.ReadLog10FeatureSparsity(Target));
        AssertOnlyTheTargetExists();
    }

    [Fact]
    public void SaveRejectedBeforeWriting_LeavesThePreviousFolderIntact()
    {
        SaveOld();
        var before = Snapshot();

        using var sae = new StandardSae(2, 3);
        Assert.Throws<ArgumentException>(() => SaeLensFolder.Save(sae, Target, log10FeatureSparsity: [0, 0, 0, 0]));

        Assert.Equal(before, Snapshot());
        AssertOnlyTheTargetExists();
    }

    [Fact]
    public void SaveFailingAfterAllFilesAreWritten_LeavesThePreviousFolderIntactAndNoTempFolder()
    {
        SaveOld();
        var before = Snapshot();
        string? tempSeen = null;

        using var sae = new GatedSae(4, 5);
        AtomicDirectory.FaultInjection.Value = stage =>
        {
            if (stage != AtomicDirectory.Stage.FilesWritten) return;
            // The new folder is complete beside the old one, under a hidden name.
            tempSeen = Assert.Single(Directory.GetDirectories(_temp.Path), d => d != Target);
            Assert.StartsWith(".sae.", Path.GetFileName(tempSeen));
            Assert.Equal(3, Directory.GetFiles(tempSeen).Length);
            throw new IOException("disk full");
        };
        try
        {
            Assert.Throws<IOException>(() => SaeLensFolder.Save(sae, Target, log10FeatureSparsity: new double[5]));
        }
        finally
        {
            AtomicDirectory.FaultInjection.Value = null;
        }

        Assert.NotNull(tempSeen);
        Assert.Equal(before, Snapshot());
        AssertOnlyTheTargetExists();
    }

    [Fact]
    public void SaveFailingWhileThePreviousFolderIsMovedAside_PutsItBack()
    {
        SaveOld();
        var before = Snapshot();

        using var sae = new GatedSae(4, 5);
        AtomicDirectory.FaultInjection.Value = stage =>
        {
            if (stage != AtomicDirectory.Stage.PreviousMovedAside) return;
            // Neither folder is at the target: a crash here leaves nothing that looks like a complete SAE folder.
            Assert.False(Directory.Exists(Target));
            throw new IOException("power cut");
        };
        try
        {
            Assert.Throws<IOException>(() => SaeLensFolder.Save(sae, Target));
        }
        finally
        {
            AtomicDirectory.FaultInjection.Value = null;
        }

        Assert.Equal(before, Snapshot());
        AssertOnlyTheTargetExists();
    }

    [Fact]
    public void SaveFailingWithNoPreviousFolder_CreatesNothing()
    {
        using var sae = new StandardSae(2, 3);
        AtomicDirectory.FaultInjection.Value = _ => throw new IOException("disk full");
        try
        {
            Assert.Throws<IOException>(() => SaeLensFolder.Save(sae, Target));
        }
        finally
        {
            AtomicDirectory.FaultInjection.Value = null;
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void Save_RefusesToReplaceAFolderThatIsNotAnSaeFolder_OrAFile()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "thesis.tex"), "precious");
        using var sae = new StandardSae(2, 3);

        Assert.Throws<IOException>(() => SaeLensFolder.Save(sae, Target));
        Assert.Equal("precious", File.ReadAllText(Path.Combine(Target, "thesis.tex")));

        string file = _temp.File("file");
        File.WriteAllText(file, "x");
        Assert.Throws<IOException>(() => SaeLensFolder.Save(sae, file));
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void Save_CreatesMissingParentsAndFillsAnEmptyFolder()
    {
        using var sae = new StandardSae(2, 3);
        string nested = Path.Combine(_temp.Path, "a", "b", "sae");
        SaeLensFolder.Save(sae, nested);
        Assert.True(File.Exists(Path.Combine(nested, "cfg.json")));

        Directory.CreateDirectory(Target);
        SaeLensFolder.Save(sae, Target);
        Assert.True(File.Exists(Path.Combine(Target, "sae_weights.safetensors")));
    }
}
