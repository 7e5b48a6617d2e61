package org.aldi.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Test helpers: parse an SVG file as XML and find its series groups. */
final class SvgFiles {
  private SvgFiles() {}

  /** The root element; fails unless the text is well-formed XML with an svg root in the SVG namespace. */
  static Element parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Element root = factory.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    if (!root.getLocalName().equals("svg") || !"http://www.w3.org/2000/svg".equals(root.getNamespaceURI())) {
      throw new AssertionError("not an SVG root: " + root.getTagName());
    }
    return root;
  }

  static List<String> seriesNames(Element root) {
    List<String> names = new ArrayList<>();
    NodeList groups = root.getElementsByTagName("g");
    for (int k = 0; k < groups.getLength(); k++) {
      Element g = (Element) groups.item(k);
      if (g.getAttribute("class").equals("series")) {
        names.add(g.getAttribute("data-name"));
      }
    }
    return names;
  }

  static Element series(Element root, String name) {
    NodeList groups = root.getElementsByTagName("g");
    for (int k = 0; k < groups.getLength(); k++) {
      Element g = (Element) groups.item(k);
      if (g.getAttribute("class").equals("series") && g.getAttribute("data-name").equals(name)) {
        return g;
      }
    }
    throw new AssertionError("no series " + name);
  }
}
