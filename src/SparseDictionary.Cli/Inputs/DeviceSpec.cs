using System.Globalization;
using static TorchSharp.torch;

namespace SparseDictionary.Cli.Inputs;

/// <summary>A <c>--device</c> value: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, parsed without touching the native libraries.</summary>
/// <param name="IsCuda">Whether the device is a CUDA GPU.</param>
/// <param name="Index">The GPU's index (0 for plain <c>cuda</c>).</param>
internal sealed record DeviceSpec(bool IsCuda, int Index)
{
    /// <summary>The CPU.</summary>
    public static DeviceSpec Cpu { get; } = new(false, 0);

    /// <summary>The accepted spellings, for help.</summary>
    public const string Forms = "cpu|cuda|cuda:N";

    /// <summary>Parses <paramref name="text"/>, or returns <see langword="null"/> when it is not one of <see cref="Forms"/>.</summary>
    public static DeviceSpec? TryParse(string text)
    {
        string value = text.Trim().ToLowerInvariant();
        if (value == "cpu") return Cpu;
        if (value == "cuda") return new DeviceSpec(true, 0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return new DeviceSpec(true, index);
        }
        return null;
    }

    /// <summary>The TorchSharp device, after checking that it exists on this machine.</summary>
    /// <exception cref="CliException">CUDA is not available, or there is no GPU of that index.</exception>
    public Device ToDevice()
    {
        if (!IsCuda) return CPU;
        if (!cuda.is_available())
        {
            throw new CliException(ExitCodes.Environment,
                $"--device {this}: CUDA is not available on this machine (sdict's package carries LibTorch for CPU only); use --device cpu.");
        }
        int count = cuda.device_count();
        if (Index >= count)
        {
            throw new CliException(ExitCodes.Environment, $"--device {this}: this machine has {count} CUDA device(s), 0 to {count - 1}.");
        }
        return device(DeviceType.CUDA, Index);
    }

    /// <inheritdoc />
    public override string ToString() => IsCuda ? string.Create(CultureInfo.InvariantCulture, $"cuda:{Index}") : "cpu";
}
