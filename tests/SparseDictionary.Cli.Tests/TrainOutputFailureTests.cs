namespace SparseDictionary.Cli.Tests;

/// <summary>
/// <c>sdict train</c> whose output folder cannot be written: a clear one-line error with the I/O exit code, no SAE folder
/// left looking complete, and no training lost (the finished run is in the checkpoint, and <c>--resume</c> saves it).
/// </summary>
/// <remarks>
/// Tests run as root, which ignores permission bits, so a read-only folder would not fail; mounting a tiny tmpfs needs
/// privileges CI may not have. The failure used is one the kernel enforces for root too: the output's parent is a regular
/// file (ENOTDIR/EEXIST). A full disk mid-write is covered by the fault-injection tests of <c>AtomicDirectory</c> and
/// <c>AtomicFile</c> (SaeLensAtomicSaveTests, SafeTensorsAtomicWriteTests): every failure inside the write takes the same
/// path.
/// </remarks>
public sealed class TrainOutputFailureTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Fact]
    public void An_unwritable_output_is_one_clear_error_leaves_no_folder_and_resume_saves_the_same_SAE()
    {
        string caches = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1", "--max-tokens", "512",
            "--context", "64", "--output", caches).Succeeded();
        string cache = Path.Combine(caches, "blocks.1.hook_resid_post");
        string work = files.NewFolder();
        string blocker = Path.Combine(work, "blocker");
        File.WriteAllText(blocker, "a file, not a folder");
        string unwritable = Path.Combine(blocker, "sae");
        string checkpoint = Path.Combine(work, "run.checkpoint");
        string[] Train(string output) =>
            ["train", "--activations", cache, "--output", output, "--architecture", "standard", "--expansion", "2", "--steps", "30",
             "--batch", "64", "--warmup", "5", "--checkpoint-every", "10"];

        CliRun failed = CliRun.Of([.. Train(unwritable), "--checkpoint", checkpoint]);
        Assert.Equal(ExitCodes.IoError, failed.ExitCode);
        Assert.Single(failed.ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(failed.ErrorLines, l => l.Contains("--resume", StringComparison.Ordinal));
        Assert.Equal("a file, not a folder", File.ReadAllText(blocker));
        Assert.Equal(["blocker", "run.checkpoint"], Directory.GetFileSystemEntries(work).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The finished run is resumed (no step is taken) and saved where it can be.
        string saved = Path.Combine(work, "good", "sae");
        CliRun.Of([.. Train(saved), "--checkpoint", checkpoint, "--resume"]).Succeeded();
        Assert.False(Directory.Exists(checkpoint));

        string reference = Path.Combine(work, "reference", "sae");
        CliRun.Of(Train(reference)).Succeeded();
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "sae_weights.safetensors")), File.ReadAllBytes(Path.Combine(saved, "sae_weights.safetensors")));
    }
}
