package org.aldi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * An in-process HDFS (Hadoop's MiniDFSCluster: a NameNode and one DataNode in this JVM, on loopback ports), its
 * storage under target/. Other JVMs (a cluster's driver and executors) reach it through {@link #uri()}.
 */
public final class MiniHdfs implements AutoCloseable {
  private final MiniDFSCluster cluster;

  public MiniHdfs(Path dir) {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.toAbsolutePath().toString());
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    try {
      LocalCluster.deleteTree(dir);
      cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
      cluster.waitActive();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the in-process HDFS", e);
    }
  }

  /** hdfs://127.0.0.1:port */
  public String uri() {
    return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
  }

  public FileSystem fileSystem() {
    try {
      return cluster.getFileSystem();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    cluster.shutdown(true);
  }
}
