using System.Diagnostics;
using System.Text;

namespace SparseDictionary.Packaging.Tests;

/// <summary>The result of a child process: exit code and everything it wrote.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Output)
{
    /// <summary>Fails the test with the command and the end of its output unless it exited with 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            string tail = Output.Length > 6000 ? "..." + Output[^6000..] : Output;
            throw new Xunit.Sdk.XunitException($"'{Command}' exited with {ExitCode}:\n{tail}");
        }
        return this;
    }
}

/// <summary>Runs child processes (dotnet, the installed tool) with a controlled environment.</summary>
internal static class ProcessRunner
{
    /// <summary>The dotnet host that runs the tests, so children use the same SDK.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Runs <paramref name="fileName"/> and waits for it, up to <paramref name="timeout"/>.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Its working folder.</param>
    /// <param name="environment">Variables to set (a null value removes one).</param>
    /// <param name="timeout">How long to wait before killing it.</param>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            // An empty standard input: a .NET process whose stdin is a terminal configures it at start-up, and one in a
            // background process group is then stopped by SIGTTOU.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // The test host runs under MSBuild/VSTest: their variables would steer the child builds.
        foreach (string name in start.Environment.Keys.ToArray())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }
        // No build servers or reused nodes: they would outlive the test and keep its output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach ((string name, string? value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        string command = $"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new Xunit.Sdk.XunitException($"'{command}' did not finish within {timeout}:\n{output}");
        }
        process.WaitForExit(); // flushes the asynchronous readers
        lock (output) return new ProcessResult(command, process.ExitCode, output.ToString());
    }
}
