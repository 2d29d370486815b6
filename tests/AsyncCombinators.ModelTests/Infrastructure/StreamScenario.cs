using CsCheck;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// A generated scenario over a lazily read source: the operations of <see cref="Cold"/> are the selector calls of its
/// items; <see cref="SourceThrowsAt"/> is the position whose MoveNext throws (the item count: instead of ending; null:
/// never); <see cref="PullGap"/> is how many steps a consumer waits after each item before it asks for the next (0: it
/// asks at once); <see cref="AsyncSource"/> picks an IAsyncEnumerable over an IEnumerable.
/// </summary>
public sealed record StreamScenario(ColdScenario Cold, bool Ordered, int? SourceThrowsAt, bool AsyncSource, int PullGap)
{
    public override string ToString() =>
        $"{(Ordered ? "ordered" : "unordered")} {(AsyncSource ? "async" : "sync")}-source throwsAt={SourceThrowsAt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} pullGap={PullGap} {Cold}";
}

public static class StreamScenarios
{
    /// <summary>Scenarios over a lazily read source of up to <paramref name="maxOps"/> items, with a bound of 1..5.</summary>
    public static Gen<StreamScenario> Stream(int maxOps, bool paced, int forms, bool requireBound = true) =>
        from cold in ColdScenarios.Cold(0, maxOps, timeout: false, token: true, bound: true, stagger: false, breakEarly: true, forms: forms)
        from max in requireBound ? Gen.Int[1, 5] : Gen.Const(cold.MaxConcurrency)
        from ordered in Gen.Bool
        from throws in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
        from position in Gen.Int[0, Math.Max(0, cold.Ops.Length)]
        from asyncSource in Gen.Bool
        from gap in paced ? Gen.Frequency((1, Gen.Const(0)), (1, Gen.Int[1, 3])) : Gen.Const(0)
        select new StreamScenario(cold with { MaxConcurrency = max }, ordered, throws ? position : null, asyncSource, gap);
}

/// <summary>
/// A source of the items 0..n-1, read lazily as both an IEnumerable and an IAsyncEnumerable, that throws from MoveNext at
/// a position, records how many items were taken, the token of its async enumeration and its disposal, and checks on
/// every take that the reader never reads ahead of its starts.
/// </summary>
public sealed class LazySource : IEnumerable<int>, IAsyncEnumerable<int>
{
    private readonly int _count;
    private readonly int? _throwsAt;
    private int _taken;
    private int _enumerations;
    private int _disposals;

    public LazySource(int count, int? throwsAt, string scenario)
    {
        _count = count;
        _throwsAt = throwsAt;
        Exception = new ScenarioException(false, "source of " + scenario);
    }

    /// <summary>Gets the exception MoveNext throws at <c>throwsAt</c>.</summary>
    public ScenarioException Exception { get; }

    /// <summary>Gets or sets a check made before item <c>k</c> is taken (k = items taken so far).</summary>
    public Action<int>? OnTake { get; set; }

    public int Taken => Volatile.Read(ref _taken);

    public int Enumerations => Volatile.Read(ref _enumerations);

    public int Disposals => Volatile.Read(ref _disposals);

    public CancellationToken AsyncToken { get; private set; }

    public IEnumerator<int> GetEnumerator()
    {
        Interlocked.Increment(ref _enumerations);
        return new Enumerator(this);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _enumerations);
        AsyncToken = cancellationToken;
        return new Enumerator(this);
    }

    private bool Next(out int item)
    {
        int k = _taken;
        OnTake?.Invoke(k);
        if (k == _throwsAt)
        {
            throw Exception;
        }

        if (k >= _count)
        {
            item = -1;
            return false;
        }

        item = k;
        Volatile.Write(ref _taken, k + 1);
        return true;
    }

    private sealed class Enumerator : IEnumerator<int>, IAsyncEnumerator<int>
    {
        private readonly LazySource _owner;
        private bool _disposed;

        public Enumerator(LazySource owner) => _owner = owner;

        public int Current { get; private set; }

        object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext()
        {
            bool more = _owner.Next(out int item);
            Current = item;
            return more;
        }

        public ValueTask<bool> MoveNextAsync() => new(MoveNext());

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Interlocked.Increment(ref _owner._disposals);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
