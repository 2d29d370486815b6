namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// Cold operations whose ends the test controls, recording starts, tokens and how many run at once.
/// </summary>
public sealed class OperationProbe<T>
{
    private readonly object _lock = new();
    private int _running;

    public OperationProbe(int count, bool honorCancellation = true)
    {
        Completions = Enumerable.Range(0, count).Select(_ => TestUtil.Source<T>()).ToArray();
        Tokens = new CancellationToken[count];
        HonorCancellation = honorCancellation;
        Operations = Enumerable.Range(0, count).Select(i => (Func<CancellationToken, Task<T>>)(ct => Start(i, ct))).ToArray();
    }

    public TaskCompletionSource<T>[] Completions { get; }

    public CancellationToken[] Tokens { get; }

    public Func<CancellationToken, Task<T>>[] Operations { get; }

    public bool HonorCancellation { get; }

    public List<int> StartOrder { get; } = new();

    public int Peak { get; private set; }

    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    public bool Started(int i)
    {
        lock (_lock)
        {
            return StartOrder.Contains(i);
        }
    }

    private async Task<T> Start(int i, CancellationToken ct)
    {
        lock (_lock)
        {
            StartOrder.Add(i);
            Tokens[i] = ct;
            _running++;
            Peak = Math.Max(Peak, _running);
        }

        if (HonorCancellation)
        {
            ct.Register(() => Completions[i].TrySetCanceled(ct));
        }

        try
        {
            return await Completions[i].Task;
        }
        finally
        {
            lock (_lock)
            {
                _running--;
            }
        }
    }
}
