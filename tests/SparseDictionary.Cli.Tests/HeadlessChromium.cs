using System.Diagnostics;

namespace SparseDictionary.Cli.Tests;

/// <summary>
/// Debian's <c>chromium</c> run headless on a page from <c>file://</c>: the DOM after its scripts ran, or a screenshot. A
/// missing browser fails the test that needs it (CI installs it in <c>.ci/run</c>).
/// </summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Returns the serialised DOM of <paramref name="url"/> once its scripts have run.</summary>
    public static string DumpDom(string url) => Run(url, "--dump-dom", "--virtual-time-budget=5000").Output;

    /// <summary>Saves a PNG screenshot of <paramref name="url"/> at <paramref name="png"/>.</summary>
    public static void Screenshot(string url, string png, int width = 1200, int height = 900)
    {
        (string _, string error) = Run(url, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", "--virtual-time-budget=5000");
        Assert.True(File.Exists(png), $"chromium wrote no screenshot at {png}:\n{error}");
    }

    private static string Executable()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in new[] { "chromium", "chromium-browser" })
            {
                string path = Path.Combine(dir, name);
                if (File.Exists(path)) return path;
            }
        }
        Assert.Fail("Headless Chromium is needed for the feature-browser test but 'chromium' is not on PATH; install Debian's package: apt-get install -y chromium (.ci/run does).");
        return "";
    }

    private static (string Output, string Error) Run(string url, params string[] extra)
    {
        string profile = TestPaths.NewTempFolder();
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            }.Concat(extra).Append(url))
            {
                start.ArgumentList.Add(arg);
            }
            using Process process = Process.Start(start)!;
            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish {url} within {Timeout.TotalSeconds} s.");
            }
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode} on {url}:\n{error.Result}");
            return (output.Result, error.Result);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
