using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using SparseDictionary.Formats;
using SparseDictionary.Training;

namespace SparseDictionary.Cli.Tests;

/// <summary>
/// <c>sdict train</c> in real child processes: one run is stopped by SIGTERM (it saves a checkpoint and exits with 130), its
/// resumption is killed outright by SIGKILL (only the periodic checkpoints survive), and a second resumption finishes. The
/// SAE it saves is byte for byte the one an uninterrupted run saves.
/// </summary>
public sealed class TrainResumeProcessTests(CliFixture files) : IClassFixture<CliFixture>
{
    private const int Steps = 400;
    private const int Every = 50;

    [Fact]
    public void A_run_stopped_by_SIGTERM_then_killed_by_SIGKILL_resumes_to_the_uninterrupted_result_bit_for_bit()
    {
        Assert.True(OperatingSystem.IsLinux(), "signals are sent with libc kill(2)");
        string caches = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1", "--max-tokens", "2048",
            "--context", "64", "--output", caches).Succeeded();
        string cache = Path.Combine(caches, "blocks.1.hook_resid_post");
        string work = files.NewFolder();
        string reference = Path.Combine(work, "reference");
        string output = Path.Combine(work, "interrupted");
        string checkpoint = output + ".checkpoint";
        string[] Train(string output) =>
        [
            "train", "--activations", cache, "--output", output, "--architecture", "topk", "--expansion", "4", "--k", "8",
            "--steps", Steps.ToString(), "--batch", "64", "--warmup", "20", "--resampling", "--checkpoint-every", Every.ToString(),
        ];

        var uninterrupted = Child.Start(Train(reference));
        Assert.True(uninterrupted.WaitForExit() == 0, uninterrupted.Describe());

        // 1. SIGTERM once the first checkpoint exists: a graceful stop that saves the current step.
        var first = Child.Start(Train(output));
        int firstSaved = first.WaitForCheckpoint(checkpoint, after: 0);
        first.Signal(15);
        Assert.True(first.WaitForExit() == ExitCodes.Cancelled, first.Describe());
        Assert.Contains("--resume", first.Error, StringComparison.Ordinal);
        int afterTerm = CheckpointStep(checkpoint);
        Assert.InRange(afterTerm, firstSaved, Steps - 1);
        Assert.False(Directory.Exists(output));

        // 2. Resume, then SIGKILL once a later periodic checkpoint exists: nothing runs on the way out.
        var second = Child.Start([.. Train(output), "--resume"]);
        int secondSaved = second.WaitForCheckpoint(checkpoint, after: afterTerm);
        second.Signal(9);
        second.WaitForExit();
        Assert.True(CheckpointStep(checkpoint) >= secondSaved);
        Assert.True(CheckpointStep(checkpoint) < Steps, "the killed run had already finished; the test proves nothing");
        Assert.False(Directory.Exists(output));

        // 3. Resume to the end.
        var third = Child.Start([.. Train(output), "--resume"]);
        Assert.True(third.WaitForExit() == 0, third.Describe());
        Assert.False(Directory.Exists(checkpoint), "the checkpoint is deleted once the SAE is saved");

        byte[] expected = File.ReadAllBytes(Path.Combine(reference, SaeLensFolder.WeightsFileName));
        byte[] actual = File.ReadAllBytes(Path.Combine(output, SaeLensFolder.WeightsFileName));
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"the resumed SAE's weights differ from the uninterrupted run's ({afterTerm}, {secondSaved})");
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "cfg.json")), File.ReadAllText(Path.Combine(output, "cfg.json")));
    }

    [Fact]
    public void Resume_without_a_checkpoint_is_one_line_naming_the_folder()
    {
        string output = Path.Combine(files.NewFolder(), "sae");
        CliRun run = CliRun.Of("train", "--activations", files.NewFolder(), "--output", output, "--resume");
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Equal($"error: --resume: there is no checkpoint in '{output}.checkpoint'.", Assert.Single(run.ErrorLines));
    }

    private static int CheckpointStep(string folder)
    {
        string? located = TrainingCheckpoint.Find(folder);
        Assert.NotNull(located);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(located, TrainingCheckpoint.StateFileName)));
        return json.RootElement.GetProperty("step").GetInt32();
    }

    /// <summary>A child <c>sdict</c> process (the apphost the build copies beside the tests), one libtorch thread.</summary>
    private sealed class Child
    {
        private readonly Process _process;
        private readonly Task<string> _output;
        private readonly Task<string> _error;

        private Child(Process process)
        {
            _process = process;
            _output = process.StandardOutput.ReadToEndAsync();
            _error = process.StandardError.ReadToEndAsync();
        }

        public string Error => _error.Result;

        public static Child Start(string[] args)
        {
            string sdict = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "sdict.exe" : "sdict");
            Assert.True(File.Exists(sdict), $"{sdict} is missing: the build copies the CLI's apphost beside the tests");
            var start = new ProcessStartInfo(sdict)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in args) start.ArgumentList.Add(arg);
            start.Environment["OMP_NUM_THREADS"] = "1";
            var process = Process.Start(start)!;
            process.StandardInput.Close();
            return new Child(process);
        }

        /// <summary>Waits until the checkpoint folder holds a step after <paramref name="after"/>; returns that step.</summary>
        public int WaitForCheckpoint(string folder, int after)
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited) Assert.Fail($"the run ended before a checkpoint after step {after} appeared: {Describe()}");
                try
                {
                    if (TrainingCheckpoint.Find(folder) is not null && CheckpointStep(folder) > after) return CheckpointStep(folder);
                }
                catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
                {
                    // Caught between the renames of a save; look again.
                }
                Thread.Sleep(5);
            }
            _process.Kill();
            throw new TimeoutException("no checkpoint appeared within 3 minutes");
        }

        public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

        public int WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                _process.Kill();
                throw new TimeoutException($"sdict did not exit within 5 minutes: {Describe()}");
            }
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public string Describe() => $"exit code {(_process.HasExited ? _process.ExitCode : "(running)")}\nstdout:\n{_output.Result}\nstderr:\n{_error.Result}";

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }
}
