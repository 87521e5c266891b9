/**
 * End-to-end tests (in src/test/java): the operator run in-process against the fabric8 CRUD mock
 * server.
 */
package dev.privacy.dpf.e2e;
