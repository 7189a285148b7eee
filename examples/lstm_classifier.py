"""The PyTorch LSTM sentiment-analysis tutorial's program (Embedding -> 2-layer LSTM -> Dropout
-> Linear -> Sigmoid, BCELoss, Adam, clip_grad_norm_), with `import torch` changed to pytensor.

The tutorial trains on Amazon reviews; no download is possible here, so the script generates a
sentiment-like task: left-padded "reviews" of random neutral token ids in which a few words of
one polarity occur (ids 1-4 positive, 5-8 negative); the label is the review's polarity, so the
LSTM has to remember what it read until the last step. One deviation from the tutorial, marked
below: the best model is saved in a temporary folder instead of the working directory.
"""
import os
import tempfile

import numpy as np

import pytensor as torch
import pytensor.nn as nn
from pytensor.utils.data import DataLoader, TensorDataset

VOCAB_SIZE = 50
POSITIVE, NEGATIVE = range(1, 5), range(5, 9)

is_cuda = torch.cuda.is_available()
if is_cuda:
    device = torch.device("cuda")
    print("GPU is available")
else:
    device = torch.device("cpu")
    print("GPU not available, CPU used")


def make_reviews(num_samples, seq_len, rng):
    """Token-id matrix (num_samples, seq_len), left-padded with 0, and 0/1 labels."""
    sentences = np.zeros((num_samples, seq_len), dtype=np.int64)
    labels = rng.integers(0, 2, num_samples)
    for row, label in zip(sentences, labels):
        length = rng.integers(seq_len // 2, seq_len + 1)
        review = rng.integers(9, VOCAB_SIZE, length)
        words = POSITIVE if label else NEGATIVE
        spots = rng.choice(length, size=rng.integers(1, 4), replace=False)
        review[spots] = rng.choice(words, size=len(spots))
        row[seq_len - length:] = review
    return sentences, labels


class SentimentNet(nn.Module):
    def __init__(self, vocab_size, output_size, embedding_dim, hidden_dim, n_layers, drop_prob=0.5):
        super(SentimentNet, self).__init__()
        self.output_size = output_size
        self.n_layers = n_layers
        self.hidden_dim = hidden_dim

        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, n_layers, dropout=drop_prob, batch_first=True)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(hidden_dim, output_size)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x, hidden):
        batch_size = x.size(0)
        x = x.long()
        embeds = self.embedding(x)
        lstm_out, hidden = self.lstm(embeds, hidden)
        lstm_out = lstm_out.contiguous().view(-1, self.hidden_dim)

        out = self.dropout(lstm_out)
        out = self.fc(out)
        out = self.sigmoid(out)

        out = out.view(batch_size, -1)
        out = out[:, -1]
        return out, hidden

    def init_hidden(self, batch_size):
        weight = next(self.parameters()).data
        hidden = (weight.new(self.n_layers, batch_size, self.hidden_dim).zero_().to(device),
                  weight.new(self.n_layers, batch_size, self.hidden_dim).zero_().to(device))
        return hidden


def main(epochs=4, num_samples=1600, seq_len=20, batch_size=32, print_every=25, seed=0):
    """Trains and returns the test accuracy; num_samples should be a multiple of batch_size
    (init_hidden makes states for full batches, as in the tutorial)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    split = num_samples // 8 // batch_size * batch_size  # validation and test sizes
    train_sentences, train_labels = make_reviews(num_samples - 2 * split, seq_len, rng)
    val_sentences, val_labels = make_reviews(split, seq_len, rng)
    test_sentences, test_labels = make_reviews(split, seq_len, rng)

    train_data = TensorDataset(torch.from_numpy(train_sentences), torch.from_numpy(train_labels))
    val_data = TensorDataset(torch.from_numpy(val_sentences), torch.from_numpy(val_labels))
    test_data = TensorDataset(torch.from_numpy(test_sentences), torch.from_numpy(test_labels))

    train_loader = DataLoader(train_data, shuffle=True, batch_size=batch_size)
    val_loader = DataLoader(val_data, shuffle=True, batch_size=batch_size)
    test_loader = DataLoader(test_data, shuffle=True, batch_size=batch_size)

    vocab_size = VOCAB_SIZE
    output_size = 1
    embedding_dim = 16
    hidden_dim = 32
    n_layers = 2

    model = SentimentNet(vocab_size, output_size, embedding_dim, hidden_dim, n_layers)
    model.to(device)
    print(model)

    lr = 0.005
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    counter = 0
    clip = 5
    valid_loss_min = np.inf
    # The tutorial saves to './state_dict.pt'; a temporary folder keeps the working dir clean.
    checkpoint = os.path.join(tempfile.mkdtemp(), "state_dict.pt")

    model.train()
    for i in range(epochs):
        h = model.init_hidden(batch_size)

        for inputs, labels in train_loader:
            counter += 1
            h = tuple([e.data for e in h])
            inputs, labels = inputs.to(device), labels.to(device)
            model.zero_grad()
            output, h = model(inputs, h)
            loss = criterion(output.squeeze(), labels.float())
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()

            if counter % print_every == 0:
                val_h = model.init_hidden(batch_size)
                val_losses = []
                model.eval()
                for inp, lab in val_loader:
                    val_h = tuple([each.data for each in val_h])
                    inp, lab = inp.to(device), lab.to(device)
                    out, val_h = model(inp, val_h)
                    val_loss = criterion(out.squeeze(), lab.float())
                    val_losses.append(val_loss.item())

                model.train()
                print("Epoch: {}/{}...".format(i + 1, epochs),
                      "Step: {}...".format(counter),
                      "Loss: {:.6f}...".format(loss.item()),
                      "Val Loss: {:.6f}".format(np.mean(val_losses)))
                if np.mean(val_losses) <= valid_loss_min:
                    torch.save(model.state_dict(), checkpoint)
                    print("Validation loss decreased ({:.6f} --> {:.6f}).  Saving model ...".format(
                        valid_loss_min, np.mean(val_losses)))
                    valid_loss_min = np.mean(val_losses)

    # Loading the best model
    model.load_state_dict(torch.load(checkpoint))

    test_losses = []
    num_correct = 0
    h = model.init_hidden(batch_size)

    model.eval()
    for inputs, labels in test_loader:
        h = tuple([each.data for each in h])
        inputs, labels = inputs.to(device), labels.to(device)
        output, h = model(inputs, h)
        test_loss = criterion(output.squeeze(), labels.float())
        test_losses.append(test_loss.item())
        pred = torch.round(output.squeeze())  # Rounds the output to 0/1
        correct_tensor = pred.eq(labels.float().view_as(pred))
        correct = np.squeeze(correct_tensor.cpu().numpy())
        num_correct += np.sum(correct)

    print("Test loss: {:.3f}".format(np.mean(test_losses)))
    test_acc = num_correct / len(test_loader.dataset)
    print("Test accuracy: {:.3f}%".format(test_acc * 100))
    return test_acc


if __name__ == "__main__":
    main()
