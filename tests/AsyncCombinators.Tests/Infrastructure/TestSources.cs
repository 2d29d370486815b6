using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;

namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>An endless synchronous source of 0, 1, 2, ... that counts the items taken and records its disposal.</summary>
public sealed class EndlessSource : IEnumerable<int>
{
    private int _taken;
    private int _disposed;

    /// <summary>Called with the number of items taken so far (including the new one) each time an item is taken.</summary>
    public Action<int>? OnTake { get; set; }

    public int Taken => Volatile.Read(ref _taken);

    public bool Disposed => Volatile.Read(ref _disposed) == 1;

    public IEnumerator<int> GetEnumerator()
    {
        try
        {
            for (int i = 0; ; i++)
            {
                int taken = Interlocked.Increment(ref _taken);
                OnTake?.Invoke(taken);
                yield return i;
            }
        }
        finally
        {
            Volatile.Write(ref _disposed, 1);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An asynchronous source that yields <c>count</c> items (endless when null), records its disposal and the token it was enumerated with.</summary>
public sealed class TrackedAsyncSource : IAsyncEnumerable<int>
{
    private readonly int? _count;
    private readonly int? _throwAt;
    private readonly Exception? _exception;
    private int _disposed;
    private int _taken;

    public TrackedAsyncSource(int? count = null, int? throwAt = null, Exception? exception = null)
    {
        _count = count;
        _throwAt = throwAt;
        _exception = exception;
    }

    public int Taken => Volatile.Read(ref _taken);

    public bool Disposed => Volatile.Read(ref _disposed) == 1;

    public CancellationToken Token { get; private set; }

    public async IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        Token = cancellationToken;
        try
        {
            for (int i = 0; _count is not { } count || i < count; i++)
            {
                await Task.Yield();
                if (i == _throwAt)
                {
                    throw _exception!;
                }

                Interlocked.Increment(ref _taken);
                yield return i;
            }
        }
        finally
        {
            Volatile.Write(ref _disposed, 1);
        }
    }
}

/// <summary>A limiter that answers each request by a script: acquire, refuse (with the given lease), or throw. Records the requests.</summary>
public sealed class ScriptedRateLimiter : RateLimiter
{
    private readonly Func<int, RateLimitLease> _answer;
    private readonly TimeProvider _clock;
    private readonly List<DateTimeOffset> _requests = new();

    /// <param name="answer">The lease (or exception) for the request with this number, from 0.</param>
    public ScriptedRateLimiter(Func<int, RateLimitLease> answer, TimeProvider clock)
    {
        _answer = answer;
        _clock = clock;
    }

    public IReadOnlyList<DateTimeOffset> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw new NotSupportedException();

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        int number;
        lock (_requests)
        {
            number = _requests.Count;
            _requests.Add(_clock.GetUtcNow());
        }

        return new ValueTask<RateLimitLease>(_answer(number));
    }
}

/// <summary>A lease with fixed metadata.</summary>
public sealed class FixedLease : RateLimitLease
{
    private readonly Dictionary<string, object?> _metadata = new();
    private readonly Exception? _disposeFailure;

    /// <param name="disposeFailure">What Dispose throws (a faulty limiter), if anything.</param>
    public FixedLease(bool acquired, object? retryAfter = null, Exception? disposeFailure = null)
    {
        IsAcquired = acquired;
        _disposeFailure = disposeFailure;
        if (retryAfter is not null)
        {
            _metadata[MetadataName.RetryAfter.Name] = retryAfter;
        }
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => _metadata.Keys;

    public bool IsDisposed { get; private set; }

    public override bool TryGetMetadata(string metadataName, out object? metadata) => _metadata.TryGetValue(metadataName, out metadata);

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
        if (_disposeFailure is not null)
        {
            throw _disposeFailure;
        }
    }
}

public static class Polling
{
    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after the hang timeout.</summary>
    public static async Task Until(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? what = null)
    {
        var deadline = DateTime.UtcNow + TestUtil.HangTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Hang guard: '{what}' did not hold within {TestUtil.HangTimeout.TotalSeconds} s.");
            }

            await Task.Delay(1);
        }
    }
}

/// <summary>A synchronous source of 0 .. count - 1 whose enumerator throws <see cref="FormatException"/> from Dispose.</summary>
public sealed class DisposeThrowingSource : IEnumerable<int>
{
    private readonly int _count;
    private int _disposed;

    public DisposeThrowingSource(int count) => _count = count;

    public bool Disposed => Volatile.Read(ref _disposed) == 1;

    public IEnumerator<int> GetEnumerator() => new Enumerator(this);

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Enumerator : IEnumerator<int>
    {
        private readonly DisposeThrowingSource _owner;

        public Enumerator(DisposeThrowingSource owner) => _owner = owner;

        public int Current { get; private set; } = -1;

        object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext() => ++Current < _owner._count;

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            Volatile.Write(ref _owner._disposed, 1);
            throw new FormatException("dispose");
        }
    }
}
