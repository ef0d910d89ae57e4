using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict env</c>: versions, whether LibTorch loads and computes, threads and CUDA devices. The first thing to run on a new
/// machine: it fails with exit code 7 where the native libraries do not load.
/// </summary>
internal sealed class EnvCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("env", "Show versions, and check that LibTorch loads and computes on this machine.");
        command.SetAction(_ => Run(context));
        return command;
    }

    private static int Run(CliContext context)
    {
        TextWriter output = context.Output;
        output.WriteLine($"sdict          {Version(typeof(EnvCommand).Assembly)}");
        output.WriteLine($".NET           {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
        output.WriteLine($"OS             {RuntimeInformation.OSDescription}");
        output.WriteLine($"TorchSharp     {Version(typeof(TorchSharp.torch).Assembly)}");
        context.Detail($"tool folder    {AppContext.BaseDirectory}");

        // The first tensor loads the native libraries; a failure here is reported as an environment error (exit 7).
        using (var scope = NewDisposeScope())
        {
            double sum = arange(4, ScalarType.Float32).sum().ToDouble();
            if (sum != 6) throw new InvalidOperationException($"LibTorch computed 0 + 1 + 2 + 3 = {sum}.");
        }
        output.WriteLine($"LibTorch       loaded; CPU threads {get_num_threads()}");
        output.WriteLine(cuda.is_available()
            ? $"CUDA           {cuda.device_count()} device(s)"
            : "CUDA           not available (use --device cpu)");
        return ExitCodes.Success;
    }

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
}
