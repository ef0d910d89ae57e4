using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The sampled dense-dense product <c>out[e] = left[rows[e]] · right[columns[e]]</c>: the entries of <c>left rightᵀ</c>
/// at the given positions only. LibTorch has no CPU kernel for it (gathering the rows first materialises
/// <c>nnz × width</c> values and is slower than the whole dense product), so on the CPU it is a small SIMD loop over
/// the rows in place; elsewhere it falls back to the dense product and a gather.
/// </summary>
internal static class SampledProduct
{
    /// <summary>The dot products <c>left[rows[e]] · right[columns[e]]</c>, <c>[nnz]</c>, in the dtype of the inputs.</summary>
    public static Tensor Compute(Tensor left, Tensor right, Tensor rows, Tensor columns)
    {
        bool cpu = left.device_type == DeviceType.CPU && right.device_type == DeviceType.CPU && left.dtype == right.dtype;
        if (cpu && s_nativeAvailable)
        {
            try
            {
                if (left.dtype == ScalarType.Float32) return OnCpu<float>(left, right, rows, columns);
                if (left.dtype == ScalarType.Float64) return OnCpu<double>(left, right, rows, columns);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_nativeAvailable = false;
            }
        }
        return Dense(left, right, rows, columns);
    }

    /// <summary>The reference route: the whole dense product, then the entries at the positions.</summary>
    public static Tensor Dense(Tensor left, Tensor right, Tensor rows, Tensor columns) =>
        left.mm(right.t()).reshape(-1).index_select(0, rows * right.shape[0] + columns);

    private static bool s_nativeAvailable = true;

    /// <summary>Whether the CPU loop is in use (false once TorchSharp's native library could not be reached).</summary>
    public static bool CpuLoopAvailable => s_nativeAvailable;

    // TorchSharp's own entry point for a CPU tensor's first element (what its TensorAccessor reads through).
    [DllImport("LibTorchSharp", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
#pragma warning disable SYSLIB1054 // a pointer in, a pointer out
    private static extern IntPtr THSTensor_data(IntPtr handle);
#pragma warning restore SYSLIB1054

    private static unsafe T* Data<T>(Tensor t) where T : unmanaged
    {
        var p = THSTensor_data(t.Handle);
        if (p == IntPtr.Zero) torch.CheckForErrors();
        return (T*)p;
    }

    private static unsafe Tensor OnCpu<T>(Tensor left, Tensor right, Tensor rows, Tensor columns)
        where T : unmanaged, INumber<T>
    {
        using var l = left.contiguous();
        using var r = right.contiguous();
        using var ri = rows.to(ScalarType.Int64).contiguous();
        using var ci = columns.to(ScalarType.Int64).contiguous();
        long count = ri.shape[0];
        int width = (int)l.shape[1];
        var result = empty(count, dtype: left.dtype);
        if (count == 0) return result;
        T* lp = Data<T>(l), rp = Data<T>(r), op = Data<T>(result);
        long* rowp = Data<long>(ri), colp = Data<long>(ci);
        int parts = (int)Math.Max(1, Math.Min(torch.get_num_threads(), count / 4096));
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            long start = count * part / parts, end = count * (part + 1) / parts;
            for (long e = start; e < end; e++) op[e] = Dot(lp + rowp[e] * width, rp + colp[e] * width, width);
        });
        return result;
    }

    private static unsafe T Dot<T>(T* a, T* b, int n) where T : unmanaged, INumber<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
        {
            var acc = Vector512<T>.Zero;
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count) acc += Vector512.Load(a + i) * Vector512.Load(b + i);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            var acc = Vector256<T>.Zero;
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count) acc += Vector256.Load(a + i) * Vector256.Load(b + i);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }
}
