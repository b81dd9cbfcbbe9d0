using System.Buffers.Binary;
using Tsdb.Core.IO;

namespace Tsdb.Wal;

/// <summary>
/// Reads every segment in sequence order and hands each valid record to the listener. A record that is short,
/// fails its CRC, goes backwards in sequence or does not decode ends its segment: the file is cut there (the
/// cut is reported), and replay continues with the next segment. Replay never refuses to start.
/// </summary>
internal static class WalReplayer
{
    public static (WalReplayReport Report, List<WalSegmentInfo> Segments) Replay(WalOptions options, IWalListener listener)
    {
        var report = new WalReplayReport();
        var segments = new List<WalSegmentInfo>();
        var files = Directory.GetFiles(options.Directory, "*" + WalSegmentFormat.Extension)
            .Where(f => long.TryParse(Path.GetFileNameWithoutExtension(f), out _))
            .OrderBy(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        long lastSequence = 0;
        foreach (var path in files)
        {
            report.SegmentCount++;
            var first = long.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture);
            var bytes = File.ReadAllBytes(path);
            var name = Path.GetFileName(path);
            if (bytes.Length < WalSegmentFormat.HeaderLength || !bytes.AsSpan(0, 8).SequenceEqual(WalSegmentFormat.Magic))
            {
                // A segment whose creation was interrupted, or not ours: nothing in it can be trusted.
                report.Problems.Add($"WAL segment {name}: no valid header ({bytes.Length} bytes); removed");
                File.Delete(path);
                continue;
            }
            var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            if (version != WalSegmentFormat.FormatVersion)
            {
                throw new InvalidDataException($"WAL segment {name} has format version {version}; this build reads version {WalSegmentFormat.FormatVersion}");
            }
            var position = WalSegmentFormat.HeaderLength;
            var segmentLast = first - 1;
            string? problem = null;
            while (position < bytes.Length)
            {
                var remaining = bytes.Length - position;
                if (remaining < WalSegmentFormat.FrameLength)
                {
                    problem = $"torn record header ({remaining} bytes)";
                    break;
                }
                var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4));
                var sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position + 8));
                if (length > options.MaxRecordBytes || length > remaining - WalSegmentFormat.FrameLength)
                {
                    problem = $"record of {length} bytes runs past the end of the file ({remaining - WalSegmentFormat.FrameLength} left)";
                    break;
                }
                var payload = bytes.AsMemory(position + WalSegmentFormat.FrameLength, (int)length);
                if (WalSegmentFormat.Checksum(sequence, payload.Span) != crc)
                {
                    problem = $"CRC mismatch in the record at offset {position}";
                    break;
                }
                if (sequence <= lastSequence)
                {
                    problem = $"sequence {sequence} does not follow {lastSequence}";
                    break;
                }
                WalRecord record;
                try
                {
                    record = WalRecordCodec.Decode(sequence, payload);
                }
                catch (InvalidDataException e)
                {
                    problem = $"undecodable record {sequence}: {e.Message}";
                    break;
                }
                listener.OnRecord(record);
                report.RecordCount++;
                lastSequence = sequence;
                segmentLast = sequence;
                position += WalSegmentFormat.FrameLength + (int)length;
            }
            if (problem is not null)
            {
                report.Problems.Add($"WAL segment {name}: {problem}; cut {bytes.Length - position} bytes at offset {position}, keeping {report.RecordCount} records replayed so far");
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    file.SetLength(position);
                    file.Flush(flushToDisk: true);
                }
            }
            if (segmentLast < first)
            {
                // No record survived: the file only holds a header. Appends start a fresh segment.
                File.Delete(path);
                continue;
            }
            segments.Add(new WalSegmentInfo(path, first, segmentLast));
        }
        if (files.Count > 0)
        {
            DurableFile.SyncDirectory(options.Directory);
        }
        report.LastSequence = lastSequence;
        return (report, segments);
    }
}
