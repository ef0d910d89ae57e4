using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// A restricted unpickler for the <c>data.pkl</c> of a <c>torch.save</c> archive holding a state dict: dicts (and
/// <c>OrderedDict</c>s), lists, tuples, strings, numbers, booleans, <c>None</c>, and tensors rebuilt by
/// <c>torch._utils._rebuild_tensor_v2</c> / <c>_rebuild_parameter</c> from persistent storages. Only those globals are
/// known; any other global (a class or function a pickle would call) is rejected, so no code is ever run. Tensors come
/// back as <see cref="TorchTensorRecord"/>s for the caller to read from the archive.
/// </summary>
internal sealed class TorchPickle
{
    private static readonly object Mark = new();
    private static readonly object OrderedDictType = new();
    private static readonly object RebuildTensor = new();
    private static readonly object RebuildParameter = new();

    // torch.<Name>Storage → element type.
    private static readonly Dictionary<string, ScalarType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32,
        ["DoubleStorage"] = ScalarType.Float64,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
    };

    private readonly byte[] _data;
    private readonly string _path;
    private readonly List<object?> _stack = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;

    private TorchPickle(byte[] data, string path)
    {
        _data = data;
        _path = path;
    }

    /// <summary>Unpickles <paramref name="data"/> (the bytes of <paramref name="path"/>'s <c>data.pkl</c>).</summary>
    /// <exception cref="SaeFormatException">The pickle is malformed or uses something a state dict does not.</exception>
    public static object? Load(byte[] data, string path)
    {
        try
        {
            return new TorchPickle(data, path).Run();
        }
        catch (OverflowException e)
        {
            throw SaeFormatException.ForFile(path, $"data.pkl: a length or size is out of range ({e.Message}).", e);
        }
    }

    private object? Run()
    {
        while (true)
        {
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME
                case (byte)'.': // STOP
                    if (_stack.Count != 1) throw Error("the pickle ended with a malformed stack.");
                    return _stack[0];
                case (byte)'(': Push(Mark); break;
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'K': Push((long)ReadByte()); break;
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'X': Push(ReadString(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))))); break;
                case 0x8c: Push(ReadString(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadString(checked((int)BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8))))); break; // BINUNICODE8
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(ReadBytes(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))).ToArray()); break; // BINBYTES
                case (byte)')': Push(Array.Empty<object?>()); break;
                case (byte)'t': Push(PopToMark().ToArray()); break;
                case 0x85: Push(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case (byte)']': Push(new List<object?>()); break;
                case (byte)'l': Push(PopToMark()); break; // LIST
                case (byte)'a': { var item = Pop(); AsList(Peek()).Add(item); break; }
                case (byte)'e': { var items = PopToMark(); AsList(Peek()).AddRange(items); break; }
                case (byte)'}': Push(new PickleDict()); break;
                case (byte)'d': { var items = PopToMark(); var dict = new PickleDict(); AddPairs(dict, items); Push(dict); break; } // DICT
                case (byte)'s': { var value = Pop(); var key = Pop(); AsDict(Peek()).Set(key, value, this); break; }
                case (byte)'u': { var items = PopToMark(); AddPairs(AsDict(Peek()), items); break; }
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte())); break; // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'c': Push(Global(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(Global(AsString(module), AsString(name))); break; } // STACK_GLOBAL
                case (byte)'R': { var args = Pop(); var callable = Pop(); Push(Reduce(callable, AsTuple(args))); break; }
                case (byte)'Q': Push(PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'b': // BUILD: a state dict's _metadata attribute; nothing else has state here.
                    Pop();
                    if (Peek() is not PickleDict) throw Error("BUILD on something other than a dict.");
                    break;
                default:
                    throw Error($"unsupported pickle opcode 0x{op:x2} at byte {_position - 1}.");
            }
        }
    }

    private object Global(string module, string name)
    {
        if (module == "collections" && name == "OrderedDict") return OrderedDictType;
        if (module == "torch._utils" && name == "_rebuild_tensor_v2") return RebuildTensor;
        if (module == "torch._utils" && name == "_rebuild_parameter") return RebuildParameter;
        if (module == "torch" && StorageTypes.TryGetValue(name, out ScalarType dtype)) return new StorageType(name, dtype);
        throw Error($"the pickle refers to {module}.{name}, which a state dict of tensors does not use; it is not loaded.");
    }

    private object? Reduce(object? callable, object?[] args)
    {
        if (ReferenceEquals(callable, OrderedDictType))
        {
            if (args.Length != 0) throw Error("OrderedDict called with arguments.");
            return new PickleDict();
        }
        if (ReferenceEquals(callable, RebuildParameter))
        {
            if (args.Length < 1 || args[0] is not TorchTensorRecord tensor) throw Error("_rebuild_parameter without a tensor.");
            return tensor;
        }
        if (ReferenceEquals(callable, RebuildTensor))
        {
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (args.Length is < 6 or > 7 || args[0] is not StorageRecord storage)
            {
                throw Error("_rebuild_tensor_v2 called with unexpected arguments.");
            }
            long offset = AsLong(args[1]);
            long[] size = AsTuple(args[2]).Select(AsLong).ToArray();
            long[] stride = AsTuple(args[3]).Select(AsLong).ToArray();
            if (size.Length != stride.Length || offset < 0 || size.Any(n => n < 0) || stride.Any(s => s < 0))
            {
                throw Error("a tensor has an invalid offset, size or stride.");
            }
            // The highest element the view reaches must lie inside the storage.
            long last = offset;
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] == 0) { last = -1; break; }
                last = checked(last + (size[i] - 1) * stride[i]);
            }
            if (last >= storage.Elements) throw Error($"a tensor reaches element {last} of storage '{storage.Key}', which holds {storage.Elements}.");
            return new TorchTensorRecord(storage, offset, size, stride);
        }
        throw Error("the pickle calls something other than OrderedDict or a tensor rebuild.");
    }

    private StorageRecord PersistentLoad(object? pid)
    {
        // ('storage', torch.<T>Storage, key, location, numel)
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not StorageType type || t[2] is not string key || t[3] is not string)
        {
            throw Error("unexpected persistent id; expected ('storage', torch.<T>Storage, key, location, numel).");
        }
        long elements = AsLong(t[4]);
        if (elements < 0) throw Error($"storage '{key}' has a negative size.");
        return new StorageRecord(key, type.DType, elements);
    }

    private void AddPairs(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Error("a dict is given an odd number of items.");
        for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1], this);
    }

    private object? Memo(long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw Error($"memo entry {index} is used before it is set.");

    private List<object?> PopToMark()
    {
        int mark = _stack.FindLastIndex(o => ReferenceEquals(o, Mark));
        if (mark < 0) throw Error("MARK missing.");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark)) throw Error("stack underflow.");
        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek() => _stack.Count > 0 && !ReferenceEquals(_stack[^1], Mark) ? _stack[^1] : throw Error("stack underflow.");

    private byte ReadByte() => _position < _data.Length ? _data[_position++] : throw Error("the pickle is truncated.");

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _data.Length - _position) throw Error("the pickle is truncated.");
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private string ReadString(int count)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(ReadBytes(count));
        }
        catch (DecoderFallbackException e)
        {
            throw Error($"a string is not valid UTF-8: {e.Message}");
        }
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0) throw Error("the pickle is truncated.");
        string line = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private object ReadLong(int count)
    {
        var value = new BigInteger(ReadBytes(count), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private long AsLong(object? value) => value switch
    {
        long n => n,
        bool b => b ? 1 : 0,
        _ => throw Error($"expected an integer, found {Describe(value)}."),
    };

    private string AsString(object? value) => value as string ?? throw Error($"expected a string, found {Describe(value)}.");

    private object?[] AsTuple(object? value) => value as object?[] ?? throw Error($"expected a tuple, found {Describe(value)}.");

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Error($"expected a list, found {Describe(value)}.");

    private PickleDict AsDict(object? value) => value as PickleDict ?? throw Error($"expected a dict, found {Describe(value)}.");

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"the string '{s}'",
        _ => value.GetType().Name,
    };

    internal SaeFormatException Error(string detail) => SaeFormatException.ForFile(_path, $"data.pkl: {detail}");

    private sealed record StorageType(string Name, ScalarType DType);
}

/// <summary>A dict or <c>OrderedDict</c> from a pickle, in insertion order.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _items = [];

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    public void Set(object? key, object? value, TorchPickle reader)
    {
        if (key is not (string or long or bool or null)) throw reader.Error("a dict key is not a string or a number.");
        int existing = _items.FindIndex(kv => Equals(kv.Key, key));
        if (existing >= 0) _items[existing] = new(key, value);
        else _items.Add(new(key, value));
    }
}

/// <summary>A storage of a <c>torch.save</c> archive: record <c>data/{Key}</c> holding <see cref="Elements"/> elements.</summary>
internal sealed record StorageRecord(string Key, ScalarType DType, long Elements);

/// <summary>A tensor of a <c>torch.save</c> archive: a strided view of a storage.</summary>
internal sealed record TorchTensorRecord(StorageRecord Storage, long Offset, long[] Size, long[] Stride);
