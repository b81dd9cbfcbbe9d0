using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Execution;

/// <summary>
/// The build rows whose keys equal each probe row's: the hash table's chain for that key. For NOT IN (null-aware
/// anti join) a probe row also meets every build row that might be equal because a key is null: build rows with a
/// null key, and, for a probe row with a null key, the whole build side.
/// </summary>
internal sealed class HashJoinCandidates : IJoinCandidates
{
    private const int StageStart = 0;
    private const int StageChain = 1;
    private const int StageNullRows = 2;
    private const int StageAllRows = 3;

    private readonly JoinKeys _keys;
    private JoinHashTable? _table;
    private long[][] _buildCodes;
    private byte[]?[] _buildValidity;
    private int[] _nullBuildRows;
    private int _buildLength;
    private readonly bool _nullAware;
    private readonly JoinMemory _memory;
    private long[][] _codes;
    private byte[]?[] _validity;
    private ulong[] _hashes = [];
    private int[] _heads = [];
    private byte[]? _rowValid;
    private int _length;
    private int _row;
    private int _stage;
    private int _position;

    public HashJoinCandidates(JoinKeys keys, JoinHashTable? table, long[][] buildCodes, byte[]?[] buildValidity, int[] nullBuildRows, int buildLength, bool nullAware, JoinMemory memory)
    {
        _keys = keys;
        _table = table;
        _buildCodes = buildCodes;
        _buildValidity = buildValidity;
        _nullBuildRows = nullBuildRows;
        _buildLength = buildLength;
        _nullAware = nullAware;
        _memory = memory;
        _codes = new long[keys.Count][];
        for (var k = 0; k < _codes.Length; k++)
        {
            _codes[k] = [];
        }
        _validity = new byte[]?[keys.Count];
    }

    public bool Exhausted => _row >= _length;

    public void Release()
    {
        _keys.Release();
        _table = null;
        _buildCodes = [];
        _buildValidity = [];
        _nullBuildRows = [];
        _buildLength = 0;
        _codes = [];
        _validity = [];
        _hashes = [];
        _heads = [];
        _length = 0;
    }

    public void BeginBatch(RecordBatch probe)
    {
        _length = probe.Length;
        if (_hashes.Length < _length)
        {
            // Scratch for the largest probe batch so far, reused for every batch after it.
            var before = _hashes.Length * (12L + (8L * _codes.Length));
            _memory.Grow(_length * (12L + (8L * _codes.Length)));
            _hashes = new ulong[_length];
            _heads = new int[_length];
            for (var k = 0; k < _codes.Length; k++)
            {
                _codes[k] = new long[_length];
            }
            _memory.Shrink(before);
        }
        _keys.EncodeProbe(probe, _codes, _validity);
        _rowValid = JoinColumns.And(_validity, _length);
        if (_table is null)
        {
            _heads.AsSpan(0, _length).Fill(-1);
        }
        else
        {
            _keys.Hash(_codes, _length, build: false, _hashes);
            for (var p = 0; p < _length; p++)
            {
                _heads[p] = JoinColumns.IsValid(_rowValid, p) ? _table.Find(_hashes[p], _keys, _codes, p, _buildCodes) : -1;
            }
        }
        _row = 0;
        _stage = StageStart;
    }

    public int Fill(int[] probeRows, int[] buildRows, int at, int capacity, bool[]? skip, bool firstOnly)
    {
        var count = 0;
        // Bounds the build rows scanned without a pair (NOT IN against many rows with null keys).
        var budget = Math.Max(capacity, 1024) * 16;
        var next = _table?.Next;
        while (_row < _length && count < capacity && budget > 0)
        {
            if (skip is not null && skip[_row])
            {
                NextRow();
                continue;
            }
            if (_stage == StageStart)
            {
                _stage = StageChain;
                _position = _heads[_row];
            }
            var emitted = false;
            switch (_stage)
            {
                case StageChain:
                    while (_position >= 0 && count < capacity)
                    {
                        probeRows[at + count] = _row;
                        buildRows[at + count] = _position;
                        count++;
                        _position = next![_position];
                        if (firstOnly)
                        {
                            emitted = true;
                            break;
                        }
                    }
                    if (emitted)
                    {
                        NextRow();
                    }
                    else if (_position < 0)
                    {
                        if (_nullAware)
                        {
                            _stage = JoinColumns.IsValid(_rowValid, _row) ? StageNullRows : StageAllRows;
                            _position = 0;
                        }
                        else
                        {
                            NextRow();
                        }
                    }
                    break;
                case StageNullRows:
                    while (_position < _nullBuildRows.Length && count < capacity && budget-- > 0)
                    {
                        var b = _nullBuildRows[_position++];
                        if (_keys.PossiblyEqual(_codes, _validity, _row, _buildCodes, _buildValidity, b))
                        {
                            probeRows[at + count] = _row;
                            buildRows[at + count] = b;
                            count++;
                            if (firstOnly)
                            {
                                emitted = true;
                                break;
                            }
                        }
                    }
                    if (emitted || _position >= _nullBuildRows.Length)
                    {
                        NextRow();
                    }
                    break;
                default:
                    while (_position < _buildLength && count < capacity && budget-- > 0)
                    {
                        var b = _position++;
                        if (_keys.PossiblyEqual(_codes, _validity, _row, _buildCodes, _buildValidity, b))
                        {
                            probeRows[at + count] = _row;
                            buildRows[at + count] = b;
                            count++;
                            if (firstOnly)
                            {
                                emitted = true;
                                break;
                            }
                        }
                    }
                    if (emitted || _position >= _buildLength)
                    {
                        NextRow();
                    }
                    break;
            }
        }
        return count;
    }

    private void NextRow()
    {
        _row++;
        _stage = StageStart;
    }
}
