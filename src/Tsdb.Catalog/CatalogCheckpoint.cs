using System.Buffers.Binary;
using Tsdb.Catalog.Checkpoints;
using Tsdb.Core.Deletes;
using Tsdb.Core.Hashing;
using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>
/// The whole catalog as one checkpoint: the one format every catalog store writes and the one reader of every
/// checkpoint, whatever it was written by.
/// <para>
/// Written as binary format 1: a 24-byte header (<c>TSDBCKPT</c>, u32 format version, u32 reserved, u64 body length),
/// the body, and a CRC-32C of header and body (u32), all little-endian. The body is a string table (every name, path,
/// tag value and hash once) and then the catalog as fixed fields in a fixed order, numbers as varints and strings as
/// indexes into the table. JSON spent most of a start-up on property names and per-value parsing (a 100,000-file
/// catalog was 50 MB); see docs/performance.md, "Binary catalog checkpoints".
/// </para>
/// <para>
/// Read: that format, or JSON (<see cref="CatalogSerializer"/>, the checkpoints and whole-catalog versions that servers
/// before it wrote), told apart by the first bytes. Anything else, a wrong checksum or a truncated file is an
/// <see cref="InvalidDataException"/>, which the store treats as an unreadable checkpoint (it falls back to an older
/// one and the log).
/// </para>
/// </summary>
public static class CatalogCheckpoint
{
    public const uint FormatVersion = 1;

    private const int HeaderLength = 24;
    private const int TrailerLength = 4;

    public static ReadOnlySpan<byte> Magic => "TSDBCKPT"u8;

    public static byte[] Serialize(CatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var body = new CheckpointWriter(64 * 1024 + snapshot.Files.Count * 96);
        WriteCatalog(body, snapshot);
        var strings = CheckpointWriter.StringTable(body.Strings);
        var bodyLength = strings.Length + body.Written.Length;
        var bytes = new byte[HeaderLength + bodyLength + TrailerLength];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), bodyLength);
        strings.CopyTo(bytes.AsSpan(HeaderLength));
        body.Written.CopyTo(bytes.AsSpan(HeaderLength + strings.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(HeaderLength + bodyLength), Crc32C.Compute(bytes.AsSpan(0, HeaderLength + bodyLength)));
        return bytes;
    }

    /// <summary>Reads a checkpoint of either format; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">the bytes are not a whole, intact checkpoint.</exception>
    public static CatalogSnapshot Deserialize(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.StartsWith(Magic))
        {
            return ReadBinary(bytes, source);
        }
        var text = bytes.TrimStart(" \t\r\n"u8);
        if (!text.IsEmpty && text[0] == (byte)'{')
        {
            return CatalogSerializer.Deserialize(bytes, source);
        }
        throw new InvalidDataException($"the catalog checkpoint {source} is neither a binary checkpoint (it does not start with TSDBCKPT) nor a JSON catalog ({bytes.Length} bytes)");
    }

    private static CatalogSnapshot ReadBinary(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < HeaderLength + TrailerLength)
        {
            throw new InvalidDataException($"the catalog checkpoint {source} is truncated: {bytes.Length} bytes, shorter than its header");
        }
        var format = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"the catalog checkpoint {source} has format version {format}; this server reads version {FormatVersion} (and JSON)");
        }
        var bodyLength = BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]);
        if (bodyLength != bytes.Length - HeaderLength - TrailerLength)
        {
            var expected = bodyLength is >= 0 and <= int.MaxValue ? (HeaderLength + bodyLength + TrailerLength).ToString(System.Globalization.CultureInfo.InvariantCulture) : "an impossible number of";
            throw new InvalidDataException($"the catalog checkpoint {source} is {bytes.Length} bytes, its header says {expected} bytes: it is truncated or has bytes after its end");
        }
        var covered = bytes[..(HeaderLength + (int)bodyLength)];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[covered.Length..]);
        var computed = Crc32C.Compute(covered);
        if (stored != computed)
        {
            throw new InvalidDataException($"the catalog checkpoint {source} has a wrong checksum (stored {stored:x8}, computed {computed:x8}): it is corrupt");
        }
        return ReadBody(covered[HeaderLength..], HeaderLength, source);
    }

    /// <summary>The body alone, checksum already checked (the fuzz target calls it to get past the checksum).</summary>
    internal static CatalogSnapshot ReadBody(ReadOnlySpan<byte> body, int offset, string source)
    {
        var reader = new CheckpointReader(body, offset, source);
        reader.ReadStringTable();
        var snapshot = ReadCatalog(ref reader, source);
        if (!reader.AtEnd)
        {
            reader.Fail("bytes follow the end of the catalog");
        }
        return snapshot;
    }

    private static void WriteCatalog(CheckpointWriter w, CatalogSnapshot snapshot)
    {
        w.WriteSigned(snapshot.Version);
        w.WriteSigned(snapshot.PersistedSequence);
        w.WriteSigned(snapshot.NextFileId);
        w.WriteSigned(snapshot.NextTombstoneId);

        var nodes = snapshot.NodeSequences.OrderBy(n => n.Key, StringComparer.Ordinal).ToList();
        w.WriteCount(nodes.Count);
        foreach (var (node, sequence) in nodes)
        {
            w.WriteString(node);
            w.WriteSigned(sequence);
        }

        var databases = snapshot.Databases.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        w.WriteCount(databases.Count);
        foreach (var database in databases)
        {
            WriteDatabase(w, database);
        }

        w.WriteCount(snapshot.Tokens.Count);
        foreach (var token in snapshot.Tokens)
        {
            WriteToken(w, token);
        }

        w.WriteCount(snapshot.Files.Count);
        foreach (var file in snapshot.Files)
        {
            WriteFile(w, file);
        }

        w.WriteCount(snapshot.PendingDeletes.Count);
        foreach (var pending in snapshot.PendingDeletes)
        {
            w.WriteString(pending.Path);
            w.WriteTime(pending.DeleteAfter);
        }

        w.WriteCount(snapshot.Tombstones.Count);
        foreach (var tombstone in snapshot.Tombstones)
        {
            WriteTombstone(w, tombstone);
        }
    }

    private static CatalogSnapshot ReadCatalog(ref CheckpointReader r, string source)
    {
        var version = r.ReadSigned();
        var persistedSequence = r.ReadSigned();
        var nextFileId = r.ReadSigned();
        var nextTombstoneId = r.ReadSigned();

        var nodeCount = r.ReadCount();
        var nodes = new Dictionary<string, long>(nodeCount, StringComparer.Ordinal);
        for (var i = 0; i < nodeCount; i++)
        {
            var node = r.ReadString();
            if (!nodes.TryAdd(node, r.ReadSigned()))
            {
                r.Fail($"ingest node '{node}' is there twice");
            }
        }

        var databases = new DatabaseDefinition[r.ReadCount()];
        for (var i = 0; i < databases.Length; i++)
        {
            databases[i] = ReadDatabase(ref r);
        }

        var tokens = new TokenDefinition[r.ReadCount()];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = ReadToken(ref r);
        }

        var files = new ParquetFileEntry[r.ReadCount()];
        var ranges = new Dictionary<long, TagRange>();
        for (var i = 0; i < files.Length; i++)
        {
            files[i] = ReadFile(ref r, ranges);
        }

        var pending = new PendingDelete[r.ReadCount()];
        for (var i = 0; i < pending.Length; i++)
        {
            pending[i] = new PendingDelete(r.ReadString(), r.ReadTime());
        }

        var tombstones = new Tombstone[r.ReadCount()];
        for (var i = 0; i < tombstones.Length; i++)
        {
            tombstones[i] = ReadTombstone(ref r);
        }

        try
        {
            return new CatalogSnapshot(version, databases, tokens, files, persistedSequence, Math.Max(1, nextFileId), pending)
            {
                Tombstones = tombstones,
                NextTombstoneId = Math.Max(1, nextTombstoneId),
                NodeSequences = nodes,
            };
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"the catalog checkpoint {source} is not valid: {e.Message}", e);
        }
    }

    private static void WriteDatabase(CheckpointWriter w, DatabaseDefinition database)
    {
        w.WriteString(database.Name);
        w.WriteOptional(database.RetentionPeriod?.Ticks);
        var tables = database.Tables.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        w.WriteCount(tables.Count);
        foreach (var table in tables)
        {
            w.WriteString(table.Name);
            w.WriteOptional(table.RetentionPeriod?.Ticks);
            w.WriteCount(table.Columns.Count);
            foreach (var column in table.Columns)
            {
                w.WriteString(column.Name);
                w.WriteByte((byte)column.Kind);
            }
        }
        var metadata = database.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        w.WriteCount(metadata.Count);
        foreach (var (family, entry) in metadata)
        {
            w.WriteString(family);
            w.WriteString(entry.Type);
            w.WriteString(entry.Help);
            w.WriteString(entry.Unit);
        }
    }

    private static DatabaseDefinition ReadDatabase(ref CheckpointReader r)
    {
        var name = r.ReadString();
        var retention = ReadRetention(ref r);
        var tables = new TableDefinition[r.ReadCount()];
        var tableNames = new HashSet<string>(tables.Length, StringComparer.Ordinal);
        for (var t = 0; t < tables.Length; t++)
        {
            var tableName = r.ReadString();
            if (!tableNames.Add(tableName))
            {
                r.Fail($"database '{name}' holds table '{tableName}' twice");
            }
            var tableRetention = ReadRetention(ref r);
            var columns = new ColumnDefinition[r.ReadCount()];
            for (var c = 0; c < columns.Length; c++)
            {
                columns[c] = new ColumnDefinition(r.ReadString(), r.ReadEnum<ColumnKind>("column kind"));
            }
            tables[t] = new TableDefinition(tableName, columns, tableRetention);
        }
        var metadataCount = r.ReadCount();
        var metadata = metadataCount == 0 ? DatabaseDefinition.NoMetadata : new Dictionary<string, MetricMetadataEntry>(metadataCount, StringComparer.Ordinal);
        for (var m = 0; m < metadataCount; m++)
        {
            var family = r.ReadString();
            if (!((Dictionary<string, MetricMetadataEntry>)metadata).TryAdd(family, new MetricMetadataEntry(r.ReadString(), r.ReadString(), r.ReadString())))
            {
                r.Fail($"database '{name}' holds metadata of '{family}' twice");
            }
        }
        return new DatabaseDefinition(name, tables, retention) { Metadata = metadata };
    }

    private static TimeSpan? ReadRetention(ref CheckpointReader r) =>
        r.ReadOptional() is { } ticks ? ticks >= 0 ? TimeSpan.FromTicks(ticks) : r.Fail<TimeSpan>($"a retention period of {ticks} ticks is negative") : null;

    private static void WriteToken(CheckpointWriter w, TokenDefinition token)
    {
        w.WriteString(token.Name);
        w.WriteString(token.Sha256Hex);
        w.WriteBool(token.IsAdmin);
        w.WriteTime(token.CreatedAt);
        w.WriteOptionalTime(token.ExpiresAt);
        // An admin token may do everything: its permissions are not kept (as in JSON).
        var permissions = token.IsAdmin ? [] : token.Permissions;
        w.WriteCount(permissions.Count);
        foreach (var permission in permissions)
        {
            w.WriteString(permission.Database);
            w.WriteByte((byte)permission.Actions);
        }
    }

    private static TokenDefinition ReadToken(ref CheckpointReader r)
    {
        var name = r.ReadString();
        var hash = r.ReadString();
        var admin = r.ReadBool();
        var created = r.ReadTime();
        var expires = r.ReadOptionalTime();
        var permissions = new TokenPermission[r.ReadCount()];
        for (var i = 0; i < permissions.Length; i++)
        {
            var database = r.ReadString();
            var actions = r.ReadByte();
            if (actions is 0 or > (byte)(DatabaseActions.Read | DatabaseActions.Write | DatabaseActions.Delete))
            {
                r.Fail($"token '{name}' has a permission on '{database}' with actions {actions}, which are not read, write and delete");
            }
            permissions[i] = new TokenPermission(database, (DatabaseActions)actions);
        }
        return new TokenDefinition(name, hash, admin, created) { Permissions = permissions, ExpiresAt = expires };
    }

    private static void WriteFile(CheckpointWriter w, ParquetFileEntry file)
    {
        w.WriteSigned(file.Id);
        w.WriteString(file.Database);
        w.WriteString(file.Table);
        w.WriteSigned(file.Day);
        w.WriteString(file.Path);
        w.WriteSigned(file.MinTime);
        w.WriteSigned(unchecked(file.MaxTime - file.MinTime)); // small: a file spans at most a day
        w.WriteSigned(file.RowCount);
        w.WriteSigned(file.SizeBytes);
        w.WriteSigned(file.MaxSequence);
        w.WriteSigned(file.Level);
        w.WriteTime(file.CreatedAt);
        w.WriteSigned(file.TombstonesThrough);
        w.WriteString(file.Node);
        w.WriteCount(file.TagRanges.Count);
        foreach (var (tag, range) in file.TagRanges)
        {
            w.WriteString(tag);
            w.WriteString(range.Min);
            w.WriteString(range.Max);
        }
    }

    /// <summary>A file entry; equal tag ranges (the same pair of string ids) share one immutable instance.</summary>
    private static ParquetFileEntry ReadFile(ref CheckpointReader r, Dictionary<long, TagRange> ranges)
    {
        var id = r.ReadSigned();
        var database = r.ReadString();
        var table = r.ReadString();
        var day = r.ReadInt32();
        var path = r.ReadString();
        var minTime = r.ReadSigned();
        var maxTime = unchecked(minTime + r.ReadSigned());
        var rowCount = r.ReadSigned();
        var sizeBytes = r.ReadSigned();
        var maxSequence = r.ReadSigned();
        var level = r.ReadInt32();
        var createdAt = r.ReadTime();
        var tombstonesThrough = r.ReadSigned();
        var node = r.ReadOptionalString();
        var tagCount = r.ReadCount();
        var tags = new KeyValuePair<string, TagRange>[tagCount];
        for (var i = 0; i < tagCount; i++)
        {
            var tag = r.ReadString();
            var (min, max) = (r.ReadStringId(), r.ReadStringId());
            var key = ((long)min << 32) | (uint)max;
            if (!ranges.TryGetValue(key, out var range))
            {
                range = new TagRange(r.StringAt(min), r.StringAt(max));
                ranges.Add(key, range);
            }
            tags[i] = KeyValuePair.Create(tag, range);
        }
        IReadOnlyDictionary<string, TagRange> tagRanges;
        if (tagCount <= TagRangeMap.MaxEntries)
        {
            for (var i = 1; i < tagCount; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(tags[i].Key, tags[j].Key, StringComparison.Ordinal))
                    {
                        r.Fail($"file {id} has two ranges of tag '{tags[i].Key}'");
                    }
                }
            }
            tagRanges = new TagRangeMap(tags);
        }
        else
        {
            var dictionary = new Dictionary<string, TagRange>(tagCount);
            foreach (var (tag, range) in tags)
            {
                if (!dictionary.TryAdd(tag, range))
                {
                    r.Fail($"file {id} has two ranges of tag '{tag}'");
                }
            }
            tagRanges = dictionary;
        }
        return new ParquetFileEntry(id, database, table, day, path, minTime, maxTime, rowCount, sizeBytes, maxSequence, level, createdAt)
        {
            TagRanges = tagRanges,
            TombstonesThrough = tombstonesThrough,
            Node = node,
        };
    }

    private static void WriteTombstone(CheckpointWriter w, Tombstone tombstone)
    {
        w.WriteSigned(tombstone.Id);
        w.WriteString(tombstone.Database);
        w.WriteString(tombstone.Table);
        w.WriteSigned(tombstone.Sequence);
        w.WriteTime(tombstone.CreatedAt);
        var predicate = tombstone.Predicate;
        w.WriteOptional(predicate.FromTime);
        w.WriteOptional(predicate.ToTime);
        w.WriteCount(predicate.Terms.Count);
        foreach (var term in predicate.Terms)
        {
            w.WriteString(term.Column);
            w.WriteByte((byte)term.Operator);
            w.WriteString(term.String);
            w.WriteBool(term.Number.HasValue);
            if (term.Number is { } number)
            {
                w.WriteDouble(number);
            }
            w.WriteOptional(term.Integer);
            w.WriteByte(term.Boolean switch { null => 0, false => 1, true => 2 });
        }
    }

    private static Tombstone ReadTombstone(ref CheckpointReader r)
    {
        var id = r.ReadSigned();
        var database = r.ReadString();
        var table = r.ReadString();
        var sequence = r.ReadSigned();
        var created = r.ReadTime();
        var from = r.ReadOptional();
        var to = r.ReadOptional();
        var terms = new DeleteTerm[r.ReadCount()];
        for (var i = 0; i < terms.Length; i++)
        {
            var column = r.ReadString();
            var op = r.ReadEnum<DeleteOperator>("delete operator");
            var text = r.ReadOptionalString();
            double? number = r.ReadBool() ? r.ReadDouble() : null;
            var integer = r.ReadOptional();
            bool? boolean = r.ReadByte() switch
            {
                0 => null,
                1 => false,
                2 => true,
                var b => r.Fail<bool?>($"{b} is not a boolean literal (0 none, 1 false, 2 true)"),
            };
            terms[i] = new DeleteTerm(column, op) { String = text, Number = number, Integer = integer, Boolean = boolean };
        }
        return new Tombstone(id, database, table, sequence, new DeletePredicate(from, to, terms), created);
    }
}
